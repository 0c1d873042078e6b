package dev.tollgate.plugin.routing;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code least-latency}: power of two choices over a peak-EWMA cost. Two distinct candidates are
 * drawn at random and the cheaper one wins, the cost being the kernel's latency average (time to
 * the first event for a stream, the whole answer otherwise) times one plus the requests in flight
 * there, so a queue building up counts before its latency shows. A candidate never measured costs
 * nothing and is tried first. Drawing two instead of scanning for the best keeps many gateways
 * from stampeding onto the same deployment at once.
 */
final class LeastLatency implements RoutingStrategy {

    static final String NAME = "least-latency";

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        int n = candidates.size();
        if (n == 1) {
            return 0;
        }
        boolean stream = request.facts().stream();
        if (n == 2) {
            return cost(candidates.get(1), stream) < cost(candidates.get(0), stream) ? 1 : 0;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        return cost(candidates.get(b), stream) < cost(candidates.get(a), stream) ? b : a;
    }

    static double cost(Candidate c, boolean stream) {
        if (!Picks.usable(c)) {
            return Double.MAX_VALUE;
        }
        OptionalLong latency = stream ? c.timeToFirstTokenEwmaMicros() : c.latencyEwmaMicros();
        if (latency.isEmpty() && stream) {
            latency = c.latencyEwmaMicros();
        }
        return latency.isEmpty() ? 0 : (double) latency.getAsLong() * (c.inFlight() + 1);
    }
}
