package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.http.Headers;

/**
 * The request as policies see it.
 *
 * @param requestId the gateway's request id
 * @param endpoint  the path, for example {@code /v1/chat/completions}
 * @param model     the model the client asked for
 * @param stream    whether a stream was asked for
 * @param headers   the client's request headers (including credentials: never log them)
 * @param body      the client's body
 * @param principal who is calling, as established so far
 */
public record PolicyRequest(
        String requestId, String endpoint, String model, boolean stream, Headers headers, Bytes body, Principal principal) {

    public PolicyRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(model, "model is null");
        requireNonNull(headers, "headers is null");
        requireNonNull(body, "body is null");
        requireNonNull(principal, "principal is null");
    }

    public PolicyRequest withPrincipal(Principal newPrincipal) {
        return new PolicyRequest(requestId, endpoint, model, stream, headers, body, newPrincipal);
    }
}
