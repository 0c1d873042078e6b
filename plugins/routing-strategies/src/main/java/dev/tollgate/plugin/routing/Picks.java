package dev.tollgate.plugin.routing;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.Health;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Small shared pieces of the strategies. */
final class Picks {

    private Picks() {}

    /**
     * Whether a candidate may be picked. The kernel passes only deployments whose circuit lets a
     * request through; a strategy still steers clear of an open one should it see one.
     */
    static boolean usable(Candidate c) {
        return c.health() != Health.OPEN;
    }

    /** A usable candidate by weight among those with {@code tier}, or -1 when none; {@code tier} &lt; 0: any tier. */
    static int weighted(List<? extends Candidate> candidates, int tier) {
        long total = 0;
        int n = candidates.size();
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            if ((tier < 0 || c.tier() == tier) && usable(c)) {
                total += Math.max(1, c.weight());
            }
        }
        if (total == 0) {
            return -1;
        }
        long r = ThreadLocalRandom.current().nextLong(total);
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            if ((tier < 0 || c.tier() == tier) && usable(c)) {
                r -= Math.max(1, c.weight());
                if (r < 0) {
                    return i;
                }
            }
        }
        return -1;
    }
}
