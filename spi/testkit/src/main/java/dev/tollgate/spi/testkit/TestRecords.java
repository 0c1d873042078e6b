package dev.tollgate.spi.testkit;

import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.sink.RequestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request records for testing a log sink: one with every field the SPI has set (two attempts, trace
 * and span ids, metadata with characters that need escaping), one with as little as a record may
 * hold (a request refused before it had a model).
 */
public final class TestRecords {

    private TestRecords() {}

    /** Every field set: a streamed, priced answer after a failed first attempt. */
    public static RequestRecord full(String id, Instant startedAt) {
        Usage usage = Usage.builder().inputTokens(1200).outputTokens(340).cachedInputTokens(1000).cacheWriteTokens(150)
                .reasoningTokens(90).build();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("project", "apollo");
        metadata.put("ticket", "ÄB-12 \"quoted\"");
        return RequestRecord.builder(id, startedAt, "/v1/chat/completions").model("gpt-4o-mini")
                .deployment("openai-eu", "openai").status(200).stream(true).usage(usage).cost(Cost.ofMicros(4_321))
                .cacheStatus(CacheStatus.MISS).latencyMicros(812_345).timeToFirstTokenMicros(123_456).key("key_01", "ci-bot")
                .teamId("team_7").endUser("user-42").providerModel("gpt-4o-mini-2024-07-18").upstreamLatencyMicros(700_000)
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .span("00f067aa0ba902b7", "a3ce929d0e0e4736", List.of("b7ad6b7169203331", "c7ad6b7169203331"))
                .attempts(List.of(
                        new AttemptRecord(0, "openai-us", AttemptRecord.Result.FAILED, "upstream_timeout", Duration.ofMillis(300),
                                null, null),
                        new AttemptRecord(1, "openai-eu", AttemptRecord.Result.SUCCEEDED, null, Duration.ofNanos(500_123_999),
                                Duration.ofMillis(120), usage)))
                .bodies("{\"model\":\"gpt-4o-mini\"}", "data: {\"choices\":[]}\n\n")
                .metadata(metadata).build();
    }

    /** No model, no deployment, no usage, unknown cost, nothing streamed: a request refused early. */
    public static RequestRecord minimal(String id, Instant startedAt) {
        return RequestRecord.builder(id, startedAt, "/v1/embeddings").status(401).errorCode("invalid_api_key").errorType("client")
                .latencyMicros(150).build();
    }
}
