package dev.tollgate.plugin.routing;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code least-busy}: the candidate with the fewest requests in flight, relative to its weight (a
 * deployment of weight 2 is as busy with two requests as one of weight 1 with one); ties are
 * broken at random so idle deployments share the traffic.
 */
final class LeastBusy implements RoutingStrategy {

    static final String NAME = "least-busy";

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        int n = candidates.size();
        int best = 0;
        double bestLoad = Double.MAX_VALUE;
        int ties = 0;
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            if (!Picks.usable(c)) {
                continue;
            }
            double load = (double) c.inFlight() / Math.max(1, c.weight());
            if (load < bestLoad) {
                best = i;
                bestLoad = load;
                ties = 1;
            } else if (load == bestLoad && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = i;
            }
        }
        return best;
    }
}
