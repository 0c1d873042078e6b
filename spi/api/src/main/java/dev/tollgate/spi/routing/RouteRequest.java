package dev.tollgate.spi.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.policy.Principal;

/**
 * What a strategy knows about the request being routed.
 *
 * @param requestId the gateway's request id
 * @param model     the model the client asked for
 * @param stream    whether a stream was asked for
 * @param principal who is calling
 * @param attempt   0 for the first attempt, 1 for the first fallback…
 */
public record RouteRequest(String requestId, String model, boolean stream, Principal principal, int attempt) {

    public RouteRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(model, "model is null");
        requireNonNull(principal, "principal is null");
    }
}
