package dev.tollgate.spi.provider;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;

/**
 * A chat completion request on its way to one deployment.
 *
 * @param requestId     the gateway's request id ({@code x-request-id})
 * @param model         the model name the client asked for: always the value of the body's top-level
 *                      {@code model} field
 * @param upstreamModel the deployment's model name at the provider
 * @param stream        whether the client asked for a stream
 * @param includeUsage  whether the client asked for the usage chunk of a stream
 *                      ({@code stream_options.include_usage}); adapters always ask the upstream for
 *                      usage and the kernel drops the chunk again when this is false
 * @param format        the format of {@code body}
 * @param body          the client's request body, validated JSON in {@code format}
 */
public record ChatRequest(
        String requestId,
        String model,
        String upstreamModel,
        boolean stream,
        boolean includeUsage,
        ApiFormat format,
        Bytes body) {

    public ChatRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(model, "model is null");
        requireNonNull(upstreamModel, "upstreamModel is null");
        requireNonNull(format, "format is null");
        requireNonNull(body, "body is null");
    }
}
