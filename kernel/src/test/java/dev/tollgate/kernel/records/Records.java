package dev.tollgate.kernel.records;

import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records and sinks for the pipeline's tests. */
final class Records {

    private Records() {}

    /** A record with every field set. */
    static RequestRecord full(String id) {
        return RequestRecord.builder(id, Instant.parse("2026-12-02T10:15:30.123456789Z"), "/v1/chat/completions")
                .model("gpt-4o-mini")
                .deployment("gpt-4o-mini#0", "openai")
                .providerModel("gpt-4o-mini-2024-07-18")
                .status(200)
                .errorCode(null)
                .errorType(null)
                .stream(true)
                .usage(Usage.builder().inputTokens(1200).outputTokens(345).cachedInputTokens(1024).cacheWriteTokens(7).reasoningTokens(64)
                        .build())
                .cost(Cost.ofMicros(123_456))
                .cacheStatus(CacheStatus.MISS)
                .latencyMicros(98_765)
                .timeToFirstTokenMicros(12_345)
                .upstreamLatencyMicros(90_000)
                .key("key_1", "ci bot")
                .teamId("team_a")
                .endUser("user-42 ünïcödé")
                .attempts(List.of(
                        new AttemptRecord(0, "gpt-4o-mini#0", AttemptRecord.Result.FAILED, "upstream_timeout", Duration.ofMillis(5), null, null),
                        new AttemptRecord(1, "gpt-4o-mini#0", AttemptRecord.Result.SUCCEEDED, null, Duration.ofMillis(90),
                                Duration.ofMillis(12), Usage.of(1200, 345))))
                .clientDisconnected(false)
                .bodies("{\"model\":\"gpt-4o-mini\"}", "data: {}\n\n")
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .span("00f067aa0ba902b7", "b7ad6b7169203331", List.of("1111111111111111", "2222222222222222"))
                .metadata(Map.of("feature", "search", "empty", ""))
                .build();
    }

    static RequestRecord minimal(String id) {
        return RequestRecord.builder(id, Instant.ofEpochSecond(1_800_000_000L), "/v1/messages").status(401).errorCode("invalid_api_key")
                .errorType("client").build();
    }

    static List<RequestRecord> many(String prefix, int n) {
        List<RequestRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(minimal(prefix + i));
        }
        return out;
    }

    /** A sink that can be switched off, refuses poisoned ids, and remembers every record it took (repeats included). */
    static final class ScriptedSink implements LogSink {
        volatile boolean up = true;
        final Set<String> poison = ConcurrentHashMap.newKeySet();
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public void write(List<RequestRecord> batch) throws Exception {
            if (!up) {
                throw new java.io.IOException("sink is down");
            }
            for (RequestRecord r : batch) {
                if (poison.contains(r.requestId())) {
                    throw new IllegalArgumentException("cannot take " + r.requestId());
                }
            }
            batchSizes.add(batch.size());
            for (RequestRecord r : batch) {
                delivered.add(r.requestId());
            }
        }

        Set<String> distinct() {
            return Collections.unmodifiableSet(new java.util.HashSet<>(delivered));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A sleeper that returns at once and remembers what it was asked to wait. */
    static final class RecordingSleeper implements Sleeper {
        final List<Duration> waits = new CopyOnWriteArrayList<>();

        @Override
        public void sleep(Duration d) {
            waits.add(d);
            Thread.onSpinWait();
        }
    }
}
