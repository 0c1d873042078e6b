package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The kernel's built-in strategy, {@code weighted}: a candidate with probability proportional to
 * its weight. A model without {@code routing} uses it, so weights work without any routing plugin.
 */
public final class WeightedRandom implements RoutingStrategy {

    public static final String NAME = "weighted";
    public static final WeightedRandom INSTANCE = new WeightedRandom();

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        int n = candidates.size();
        if (n == 1) {
            return 0;
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += Math.max(1, candidates.get(i).weight());
        }
        long r = ThreadLocalRandom.current().nextLong(total);
        for (int i = 0; i < n; i++) {
            r -= Math.max(1, candidates.get(i).weight());
            if (r < 0) {
                return i;
            }
        }
        return n - 1;
    }
}
