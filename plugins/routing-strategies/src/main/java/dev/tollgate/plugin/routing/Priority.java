package dev.tollgate.plugin.routing;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;

/**
 * {@code priority}: the lowest tier that has a usable candidate, by weight within it. The kernel
 * leaves deployments whose circuit is open out of the candidates, so a higher tier gets traffic
 * exactly while every deployment of the lower tiers cools down (or has been tried by this request).
 */
final class Priority implements RoutingStrategy {

    static final String NAME = "priority";

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        int tier = Integer.MAX_VALUE;
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (Picks.usable(c) && c.tier() < tier) {
                tier = c.tier();
            }
        }
        if (tier == Integer.MAX_VALUE) {
            return 0;
        }
        int i = Picks.weighted(candidates, tier);
        return i < 0 ? 0 : i;
    }
}
