package dev.tollgate.spi.provider;

import java.util.concurrent.CompletionStage;

/**
 * Speaks one provider's API for one deployment. Translation stays private to the adapter; the
 * kernel only sees canonical requests, results and chunks.
 *
 * <p>Methods are called on the request's I/O thread and must not block: do I/O through
 * {@link ProviderCall#http()} and return at once. Errors are reported as a failed stage or
 * {@link ChunkSink#error} with a {@link dev.tollgate.spi.GatewayException} that says who is at
 * fault: a provider's 4xx about the request is {@code UPSTREAM_CLIENT} with the provider's message;
 * a rejection of our credentials (401/403) is {@code UPSTREAM_SERVER} 502 whose message never
 * contains the key; 429 is {@code RATE_LIMITED} with {@code retryAfter}; 5xx and unreadable bodies
 * are {@code UPSTREAM_SERVER} 502. Anything else thrown is a bug and reaches the client as a 500.
 *
 * <p>Optional abilities are separate interfaces an adapter also implements, such as
 * {@link SupportsEmbeddings}.
 */
public interface ProviderAdapter extends AutoCloseable {

    /**
     * A non-streamed chat completion. Fail the stage with the {@link dev.tollgate.spi.GatewayException}
     * itself; the kernel also unwraps one inside a {@link java.util.concurrent.CompletionException}.
     */
    CompletionStage<ProviderResult> chat(ChatRequest request, ProviderCall call);

    /**
     * A streamed chat completion. Deliver chunks to {@code sink} as they arrive, without
     * buffering; always obtain usage from the upstream when it can report it.
     */
    void streamChat(ChatRequest request, ProviderCall call, ChunkSink sink);

    /** Releases resources at shutdown. */
    @Override
    default void close() {}
}
