package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.SpendQuery.GroupBy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code kill -9}: a child JVM ({@link StoreCrashChild}) records spend, announcing each
 * entry on stderr (a file) before it writes it and acknowledging it on stdout after; after ~200 acknowledgements it is killed
 * with SIGKILL mid-stream. The reopened ledger keeps sums only, so it is checked per key and team:
 * at least the cost of every acknowledged entry, at most that of every entry the child attempted.
 */
class StoreCrashTest {

    static final int ACKNOWLEDGED = 200;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAcknowledgedEntrySurvivesSigkill() throws Exception {
        Path data = dir.resolve("data");
        Path stderr = dir.resolve("child-stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StoreCrashChild.class.getName(), data.toString())
                .redirectError(stderr.toFile())
                .start();
        List<Long> acknowledged = new ArrayList<>();
        List<Long> attempted = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        try {
            CompletableFuture.runAsync(() -> read(out, acknowledged)).get(90, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close()
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited after SIGKILL").isTrue();
        }
        // everything the child announced up to the kill (stderr is a file, so it outlives the process)
        try (Stream<String> lines = Files.lines(stderr)) {
            lines.filter(l -> l.startsWith("try-")).forEach(l -> attempted.add(Long.parseLong(l.substring("try-".length()))));
        }
        List<Long> acks;
        synchronized (acknowledged) {
            acks = List.copyOf(acknowledged);
        }
        List<Long> tries = List.copyOf(attempted);
        assertThat(acks).as("acknowledgements read (see child-stderr.txt on failure)").hasSize(ACKNOWLEDGED);
        assertThat(child.exitValue()).as("killed, not exited").isNotZero();
        assertThat(tries).as("every acknowledged entry was announced first").containsAll(acks);

        try (EmbeddedGovernanceStore store = EmbeddedGovernanceStore.open(data)) {
            long ledgerTotal = 0;
            for (String key : StoreCrashChild.KEYS) {
                long ledger = store.keySpentMicros(key, null);
                assertThat(ledger).as("key %s: every acknowledged entry's cost is in the ledger", key)
                        .isGreaterThanOrEqualTo(costOf(acks, key));
                assertThat(ledger).as("key %s: nothing the child did not attempt", key)
                        .isLessThanOrEqualTo(costOf(tries, key));
                ledgerTotal += ledger;
            }
            for (String team : StoreCrashChild.TEAMS) {
                assertThat(store.teamSpentMicros(team, null)).as("team " + team).isEqualTo(ledgerTotal);
            }
            long requests = store.spend(new SpendQuery(GroupBy.KEY, null, null)).stream()
                    .mapToLong(SpendQuery.Row::requests).sum();
            assertThat(requests).isBetween((long) acks.size(), (long) tries.size());
        }
    }

    /** Reads the acknowledged entries' numbers from {@code req-<n>} lines until {@value #ACKNOWLEDGED}. */
    private static void read(BufferedReader out, List<Long> acknowledged) {
        try {
            String line;
            while (acknowledged.size() < ACKNOWLEDGED && (line = out.readLine()) != null) {
                if (line.startsWith("req-")) {
                    synchronized (acknowledged) {
                        acknowledged.add(Long.parseLong(line.substring("req-".length())));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cost of the entries {@code ns} that the child recorded for {@code key} (entry n costs n + 1). */
    private static long costOf(List<Long> ns, String key) {
        return ns.stream().filter(n -> StoreCrashChild.keyOf(n).equals(key)).mapToLong(n -> n + 1).sum();
    }
}
