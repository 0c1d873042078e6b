package dev.tollgate.spi.provider;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;

/**
 * An embeddings request on its way to one deployment.
 *
 * @param requestId     the gateway's request id
 * @param model         the model name the client asked for
 * @param upstreamModel the deployment's model name at the provider
 * @param body          the client's body: OpenAI embeddings JSON, validated
 */
public record EmbeddingsRequest(String requestId, String model, String upstreamModel, Bytes body) {

    public EmbeddingsRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(model, "model is null");
        requireNonNull(upstreamModel, "upstreamModel is null");
        requireNonNull(body, "body is null");
    }
}
