package dev.tollgate.plugin.routing;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code round-robin}: each candidate in turn, over the model's whole traffic. */
final class RoundRobin implements RoutingStrategy {

    static final String NAME = "round-robin";
    private final AtomicLong next = new AtomicLong();

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        int n = candidates.size();
        for (int tries = 0; tries < n; tries++) {
            int i = (int) Math.floorMod(next.getAndIncrement(), (long) n);
            if (Picks.usable(candidates.get(i))) {
                return i;
            }
        }
        return 0;
    }
}
