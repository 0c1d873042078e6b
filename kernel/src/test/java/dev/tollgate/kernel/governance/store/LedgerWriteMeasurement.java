package dev.tollgate.kernel.governance.store;

import dev.tollgate.spi.store.SpendEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: the ledger's write cost per settled request, as the batching writer sees it. Writes
 * {@value #ENTRIES} entries (a key out of {@value #KEYS} and its two teams, one second apart) through
 * {@link EmbeddedGovernanceStore#recordSpend} in batches of 1, 100 and 1,000, each into a fresh
 * store, twice (the first pass warms the JIT); prints µs per entry of the second pass. See
 * docs/performance.md, "Aggregated ledger".
 *
 * <pre>java -cp kernel/target/test-classes:kernel/target/classes:$(deps) \
 *     dev.tollgate.kernel.governance.store.LedgerWriteMeasurement [work dir]</pre>
 */
public final class LedgerWriteMeasurement {

    private static final int ENTRIES = 20_000;
    private static final int KEYS = 1_000;
    private static final int TEAMS = 100;
    private static final int[] BATCHES = {1, 100, 1_000};
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

    private LedgerWriteMeasurement() {}

    public static void main(String[] args) throws IOException {
        Path dir = (args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ledger-measure")).toAbsolutePath();
        List<SpendEntry> entries = entries();
        for (int pass = 1; pass <= 2; pass++) {
            for (int batch : BATCHES) {
                double micros = measure(dir.resolve("pass" + pass + "-batch" + batch), entries, batch);
                if (pass == 2) {
                    System.out.printf("batch %5d: %8.1f us per entry, %8.0f entries/s%n", batch, micros, 1e6 / micros);
                }
            }
        }
    }

    private static List<SpendEntry> entries() {
        List<SpendEntry> entries = new ArrayList<>(ENTRIES);
        for (int i = 0; i < ENTRIES; i++) {
            int key = (i * 7_919) % KEYS; // spread over the keys, not in key order
            int team = key % TEAMS;
            entries.add(SpendEntry.builder().requestId("req-" + i).at(START.plusSeconds(i)).keyId("key-" + key)
                    .teamPath(List.of("team-" + team, "org-" + team / 10)).model("gpt-4o-mini").microUsd(150L + i % 50)
                    .inputTokens(300).outputTokens(40).build());
        }
        return entries;
    }

    private static double measure(Path dir, List<SpendEntry> entries, int batch) {
        try (EmbeddedGovernanceStore store = EmbeddedGovernanceStore.open(dir)) {
            long t0 = System.nanoTime();
            for (int from = 0; from < entries.size(); from += batch) {
                store.recordSpend(entries.subList(from, Math.min(entries.size(), from + batch)));
            }
            return (System.nanoTime() - t0) / 1e3 / entries.size();
        }
    }
}
