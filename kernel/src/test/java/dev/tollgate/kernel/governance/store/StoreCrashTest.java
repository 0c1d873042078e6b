package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.governance.SpendQuery;
import dev.tollgate.kernel.governance.SpendQuery.GroupBy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code kill -9}: a child JVM ({@link StoreCrashChild}) records spend and acknowledges
 * each entry on stdout; after ~200 acknowledgements it is killed with SIGKILL mid-stream, and
 * every acknowledged entry must be in the reopened ledger.
 */
class StoreCrashTest {

    static final int ACKNOWLEDGED = 200;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAcknowledgedEntrySurvivesSigkill() throws Exception {
        Path data = dir.resolve("data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StoreCrashChild.class.getName(), data.toString())
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        List<String> acknowledged = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
                try {
                    String line;
                    while (acknowledged.size() < ACKNOWLEDGED && (line = out.readLine()) != null) {
                        if (line.startsWith("req-")) {
                            synchronized (acknowledged) {
                                acknowledged.add(line);
                            }
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            reading.get(90, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close()
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited after SIGKILL").isTrue();
        }
        List<String> acks;
        synchronized (acknowledged) {
            acks = List.copyOf(acknowledged);
        }
        assertThat(acks).as("acknowledgements read (see child-stderr.txt on failure)").hasSize(ACKNOWLEDGED);
        assertThat(child.exitValue()).as("killed, not exited").isNotZero();

        try (EmbeddedGovernanceStore store = EmbeddedGovernanceStore.open(data)) {
            List<SpendQuery.Row> byKey = store.spend(new SpendQuery(GroupBy.KEY, null, null));
            assertThat(byKey).hasSize(1);
            long recorded = byKey.get(0).requests();
            assertThat(recorded).as("every acknowledged entry is in the ledger").isGreaterThanOrEqualTo(ACKNOWLEDGED);
            // entries are req-0 .. req-(n-1) costing 1 .. n: the ledger holds a prefix that covers every ack
            long expected = recorded * (recorded + 1) / 2;
            assertThat(store.keySpentMicros(StoreCrashChild.KEY, null)).isEqualTo(expected);
            for (String team : StoreCrashChild.TEAMS) {
                assertThat(store.teamSpentMicros(team, null)).as("team " + team).isEqualTo(expected);
            }
            long lastAcknowledged = Long.parseLong(acks.get(acks.size() - 1).substring("req-".length()));
            assertThat(acks).isEqualTo(acknowledgedSequence(lastAcknowledged));
            assertThat(recorded).isGreaterThan(lastAcknowledged);
        }
    }

    private static List<String> acknowledgedSequence(long last) {
        List<String> ids = new ArrayList<>();
        for (long i = 0; i <= last; i++) {
            ids.add("req-" + i);
        }
        return ids;
    }
}
