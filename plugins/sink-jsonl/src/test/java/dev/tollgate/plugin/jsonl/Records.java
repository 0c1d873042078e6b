package dev.tollgate.plugin.jsonl;

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

    static List<RequestRecord> batch(String prefix, int n, Instant startedAt) {
        List<RequestRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i % 3 == 2 ? minimal(prefix + i, startedAt.plusMillis(i)) : full(prefix + i, startedAt.plusMillis(i)));
        }
        return out;
    }
}
