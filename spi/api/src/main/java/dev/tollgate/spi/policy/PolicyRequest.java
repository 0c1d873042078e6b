package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.request.RequestFacts;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The request as policies see it. Built by the kernel (the testkit builds them for policy tests).
 */
public final class PolicyRequest {

    private final String requestId;
    private final String endpoint;
    private final RequestFacts facts;
    private final Headers headers;
    private final Bytes body;
    private final Principal principal;
    private final Supplier<ChatRequest> canonical;

    private PolicyRequest(String requestId, String endpoint, RequestFacts facts, Headers headers, Bytes body, Principal principal,
            Supplier<ChatRequest> canonical) {
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.facts = requireNonNull(facts, "facts is null");
        this.headers = requireNonNull(headers, "headers is null");
        this.body = requireNonNull(body, "body is null");
        this.principal = requireNonNull(principal, "principal is null");
        this.canonical = canonical;
    }

    /**
     * @param canonical parses the body into the canonical model on first use, or {@code null} for
     *                  requests that are not chats (embeddings)
     */
    public static PolicyRequest of(String requestId, String endpoint, RequestFacts facts, Headers headers, Bytes body,
            Supplier<ChatRequest> canonical) {
        return new PolicyRequest(requestId, endpoint, facts, headers, body, Principal.ANONYMOUS, canonical);
    }

    public String requestId() {
        return requestId;
    }

    /** The path, for example {@code /v1/chat/completions} or {@code /v1/messages}. */
    public String endpoint() {
        return endpoint;
    }

    /** Model, stream, limits, estimates and tags, from the kernel's one pass over the body. */
    public RequestFacts facts() {
        return facts;
    }

    /** The model the client asked for. */
    public String model() {
        return facts.model();
    }

    /** The client's request headers, credentials included: never log them. */
    public Headers headers() {
        return headers;
    }

    /** The client's body as it arrived. */
    public Bytes body() {
        return body;
    }

    /** Who is calling, as established so far. */
    public Principal principal() {
        return principal;
    }

    /**
     * The chat in the canonical model, parsed on first call and shared with the rest of the
     * request (a guardrail reads the messages here instead of parsing the body); empty for
     * requests that are not chats.
     *
     * @throws dev.tollgate.spi.GatewayException 400 when the body cannot be translated
     */
    public Optional<ChatRequest> canonical() {
        return canonical == null ? Optional.empty() : Optional.of(canonical.get());
    }

    public PolicyRequest withPrincipal(Principal newPrincipal) {
        return new PolicyRequest(requestId, endpoint, facts, headers, body, newPrincipal, canonical);
    }

    @Override
    public String toString() {
        return "PolicyRequest[" + requestId + " " + endpoint + " " + facts.model() + "]";
    }
}
