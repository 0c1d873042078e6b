package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;

/** The kernel's default strategy until routing plugins are configured: the first eligible deployment. */
final class FirstDeployment implements RoutingStrategy {

    static final FirstDeployment INSTANCE = new FirstDeployment();

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        return 0;
    }
}
