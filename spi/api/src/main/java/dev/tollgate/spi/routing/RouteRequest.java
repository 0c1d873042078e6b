package dev.tollgate.spi.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.request.RequestFacts;
import java.util.List;

/**
 * What a strategy knows about the request being routed. Built by the kernel (the testkit builds
 * them for strategy tests).
 */
public final class RouteRequest {

    private final String requestId;
    private final String model;
    private final RequestFacts facts;
    private final Principal principal;
    private final List<AttemptRecord> previousAttempts;

    private RouteRequest(String requestId, String model, RequestFacts facts, Principal principal, List<AttemptRecord> previousAttempts) {
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.model = requireNonNull(model, "model is null");
        this.facts = requireNonNull(facts, "facts is null");
        this.principal = requireNonNull(principal, "principal is null");
        this.previousAttempts = List.copyOf(previousAttempts);
    }

    /** @param model the client-facing model being routed (a fallback model on a fallback) */
    public static RouteRequest of(String requestId, String model, RequestFacts facts, Principal principal,
            List<AttemptRecord> previousAttempts) {
        return new RouteRequest(requestId, model, facts, principal, previousAttempts);
    }

    public String requestId() {
        return requestId;
    }

    /** The client-facing model being routed. */
    public String model() {
        return model;
    }

    /** Stream, limits, prompt estimate, tools and images used. */
    public RequestFacts facts() {
        return facts;
    }

    public Principal principal() {
        return principal;
    }

    /** 0 for the first attempt, 1 for the first retry or fallback… */
    public int attempt() {
        return previousAttempts.size();
    }

    /** The attempts made so far in this request. */
    public List<AttemptRecord> previousAttempts() {
        return previousAttempts;
    }
}
