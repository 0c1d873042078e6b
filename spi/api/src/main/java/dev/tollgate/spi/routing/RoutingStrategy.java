package dev.tollgate.spi.routing;

import java.util.List;

/**
 * Chooses the deployment for one attempt. The kernel calls it once per attempt with the candidates
 * still eligible (healthy or probing, not yet tried in this request, able to serve what the request
 * uses); it runs on the request's I/O thread and must not block.
 */
public interface RoutingStrategy {

    /** Returns the index in {@code candidates} (never empty) of the deployment to try. */
    int choose(RouteRequest request, List<? extends Candidate> candidates);
}
