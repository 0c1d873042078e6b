package dev.tollgate.kernel.governance.store;

import dev.tollgate.kernel.governance.SpendEntry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Not a test: the process {@link StoreCrashTest} kills. Opens the store in {@code args[0]} and
 * records entries one per call ({@code req-0}, {@code req-1}, ... each costing its number plus one
 * micro-dollar, for key {@code k} in teams {@code sub}, {@code team}, {@code org}) until killed,
 * printing each request id once its {@code recordSpend} has returned.
 */
public final class StoreCrashChild {

    static final String KEY = "k";
    static final List<String> TEAMS = List.of("sub", "team", "org");

    private StoreCrashChild() {}

    public static void main(String[] args) {
        EmbeddedGovernanceStore store = EmbeddedGovernanceStore.open(Path.of(args[0]));
        Instant at = Instant.parse("2026-03-01T00:00:00Z");
        System.out.println("open");
        System.out.flush();
        for (long i = 0; ; i++) {
            String id = "req-" + i;
            store.recordSpend(List.of(new SpendEntry(id, at.plusMillis(i), KEY, TEAMS, "m", i + 1, 1, 1)));
            System.out.println(id);
            System.out.flush();
        }
    }
}
