package dev.tollgate.spi.provider;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;

/**
 * An embeddings request on its way to one deployment.
 *
 * @param requestId     the gateway's request id
 * @param facts         what the kernel learned of the request ({@link RequestFacts#messageCount()} is the number of inputs)
 * @param upstreamModel the deployment's model name at the provider
 * @param deploymentId  the deployment
 * @param body          the client's body: OpenAI embeddings JSON, validated; an adapter whose native
 *                      formats include {@link WireFormat#OPENAI_EMBEDDINGS} forwards it (rewriting
 *                      the model), others read the inputs from it
 */
public record EmbeddingsRequest(String requestId, RequestFacts facts, String upstreamModel, String deploymentId, Bytes body) {

    public EmbeddingsRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(facts, "facts is null");
        requireNonNull(upstreamModel, "upstreamModel is null");
        requireNonNull(deploymentId, "deploymentId is null");
        requireNonNull(body, "body is null");
    }

    /** The model name the client asked for. */
    public String model() {
        return facts.model();
    }
}
