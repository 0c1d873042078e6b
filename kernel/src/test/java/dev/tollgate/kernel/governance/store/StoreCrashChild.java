package dev.tollgate.kernel.governance.store;

import dev.tollgate.spi.store.SpendEntry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Not a test: the process {@link StoreCrashTest} kills. Opens the store in {@code args[0]} and
 * records entries one per call ({@code req-0}, {@code req-1}, ... each costing its number plus one
 * micro-dollar, ten seconds apart, alternately for keys {@code k0} and {@code k1}, both in teams
 * {@code sub}, {@code team}, {@code org}) until killed, printing {@code try-<n>} on stderr before each
 * {@code recordSpend} and the request id on stdout once it has returned.
 */
public final class StoreCrashChild {

    static final List<String> KEYS = List.of("k0", "k1");
    static final List<String> TEAMS = List.of("sub", "team", "org");

    private StoreCrashChild() {}

    /** The key entry {@code n} is recorded for. */
    static String keyOf(long n) {
        return KEYS.get((int) (n % KEYS.size()));
    }

    public static void main(String[] args) {
        EmbeddedGovernanceStore store = EmbeddedGovernanceStore.open(Path.of(args[0]));
        Instant at = Instant.parse("2026-03-01T00:00:00Z");
        System.out.println("open");
        System.out.flush();
        for (long i = 0; ; i++) {
            String id = "req-" + i;
            System.err.println("try-" + i);
            System.err.flush();
            store.recordSpend(List.of(SpendEntry.builder().requestId(id).at(at.plusSeconds(10 * i)).keyId(keyOf(i))
                    .teamPath(TEAMS).model("m").microUsd(i + 1).inputTokens(1).outputTokens(1).build()));
            System.out.println(id);
            System.out.flush();
        }
    }
}
