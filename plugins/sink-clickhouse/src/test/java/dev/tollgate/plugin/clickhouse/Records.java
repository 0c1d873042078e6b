package dev.tollgate.plugin.clickhouse;

import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.sink.RequestRecord;
import dev.tollgate.spi.testkit.TestRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Request records for the tests: the testkit's full and minimal ones, and batches of them. */
final class Records {

    private Records() {}

    static RequestRecord full(String id, Instant startedAt) {
        return TestRecords.full(id, startedAt);
    }

    static RequestRecord minimal(String id, Instant startedAt) {
        return TestRecords.minimal(id, startedAt);
    }

    /** {@code n} records a millisecond apart; every third one unpriced and without usage, the others with counts that vary. */
    static List<RequestRecord> batch(String prefix, int n, Instant startedAt) {
        List<RequestRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant at = startedAt.plusMillis(i);
            if (i % 3 == 2) {
                out.add(minimal(prefix + i, at));
            } else {
                Usage usage = Usage.builder().inputTokens(100 + i).outputTokens(20 + i % 7).cachedInputTokens(i % 50)
                        .cacheWriteTokens(i % 5).reasoningTokens(i % 11).build();
                out.add(RequestRecord.builder(prefix + i, at, "/v1/chat/completions").model(i % 2 == 0 ? "gpt-4o-mini" : "claude")
                        .deployment("d" + i % 4, "openai").status(200).usage(usage).cost(Cost.ofMicros(1_000L * i + 7))
                        .key("key_" + i % 3, "name-" + i % 3).teamId("team_" + i % 2).latencyMicros(1000 + i).build());
            }
        }
        return out;
    }
}
