package dev.tollgate.plugin.otlp;

import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.sink.RequestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Request records for the tests. */
final class Records {

    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SPAN = "00f067aa0ba902b7";
    static final String CLIENT_SPAN = "a3ce929d0e0e4736";
    static final String FIRST_ATTEMPT = "b7ad6b7169203331";
    static final String SECOND_ATTEMPT = "c7ad6b7169203331";
    static final Instant STARTED = Instant.parse("2026-03-01T12:00:00.123456789Z");
    static final Usage USAGE = Usage.builder().inputTokens(1200).outputTokens(340).cachedInputTokens(1000).cacheWriteTokens(150)
            .reasoningTokens(90).build();

    private Records() {}

    /**
     * A streamed chat request in a client's trace: the first attempt timed out on {@code gpt-4o#0},
     * the second answered on {@code gpt-4o#1}.
     */
    static RequestRecord.Builder retried(String id) {
        return RequestRecord.builder(id, STARTED, "/v1/chat/completions").model("gpt-4o")
                .deployment("gpt-4o#1", "openai").providerModel("gpt-4o-2024-08-06").status(200).stream(true).usage(USAGE)
                .cost(Cost.ofMicros(4_321)).cacheStatus(CacheStatus.MISS).latencyMicros(900_000).timeToFirstTokenMicros(450_000)
                .upstreamLatencyMicros(800_000).key("key_01", "ci-bot").teamId("team_7").endUser("user-42")
                .traceId(TRACE).span(SPAN, CLIENT_SPAN, List.of(FIRST_ATTEMPT, SECOND_ATTEMPT))
                .attempts(List.of(
                        new AttemptRecord(0, "gpt-4o#0", AttemptRecord.Result.FAILED, "upstream_timeout", Duration.ofMillis(300),
                                null, null),
                        new AttemptRecord(1, "gpt-4o#1", AttemptRecord.Result.SUCCEEDED, null, Duration.ofMillis(500),
                                Duration.ofMillis(120), USAGE)));
    }

    /** A traced, answered request with one attempt, with its own trace and span ids from {@code n}. */
    static RequestRecord answered(int n) {
        return RequestRecord.builder("req-" + n, STARTED.plusMillis(n), "/v1/chat/completions").model("mock")
                .deployment("mock#0", "mock").providerModel("mock-1").status(200).usage(Usage.of(10 + n, 20 + n))
                .cost(Cost.ofMicros(n)).latencyMicros(2_000).upstreamLatencyMicros(1_500)
                .traceId(String.format("%032x", 0x1000L + n)).span(String.format("%016x", 0x2000L + n), null,
                        List.of(String.format("%016x", 0x3000L + n)))
                .attempts(List.of(new AttemptRecord(0, "mock#0", AttemptRecord.Result.SUCCEEDED, null, Duration.ofMillis(1),
                        Duration.ofNanos(500_000), Usage.of(10 + n, 20 + n))))
                .build();
    }

    /** A request the client sent without trace context, the gateway not starting traces. */
    static RequestRecord untraced(String id) {
        return RequestRecord.builder(id, STARTED, "/v1/embeddings").model("embed").status(401).errorCode("invalid_api_key")
                .errorType("client").latencyMicros(150).build();
    }
}
