package dev.tollgate.spi.provider;

import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import java.util.Set;

/**
 * Speaks one provider's API for one deployment.
 *
 * <h2>Two paths</h2>
 * When the request arrived in one of the adapter's {@link #nativeFormats() native formats}, the
 * kernel hands over the client's body ({@link ProviderRequest#nativeBody()}) and expects the answer
 * in that same format: the adapter rewrites what it must (the model name, credentials) and relays
 * the provider's bytes through the {@code ...Native} methods of the sinks, reporting what it
 * observed (usage, stop reason). Otherwise the adapter translates: it renders
 * {@link ProviderRequest#canonical()} in its provider's format and answers with canonical values
 * ({@link ResponseSink#respond}, {@link StreamSink#event}); the kernel renders them in the
 * client's format. An adapter with no native format always translates.
 *
 * <h2>Threads</h2>
 * Methods are called on the request's I/O thread and must not block: do I/O through
 * {@link ProviderCall#http()} and return at once. Every callback of one call (HTTP responses,
 * {@link ProviderCall#schedule scheduled tasks}) arrives on that same thread, one at a time, so
 * an adapter needs no locks for per-call state. Sinks may be called from that thread only.
 *
 * <h2>Errors</h2>
 * Report failures to the sink as a {@link dev.tollgate.spi.GatewayException} that says who is at
 * fault: a provider's 4xx about the request is {@code UPSTREAM_CLIENT} with the provider's
 * message (and {@link dev.tollgate.spi.FailureReason#CONTEXT_WINDOW_EXCEEDED} or
 * {@code CONTENT_POLICY} when the provider says so); a rejection of our credentials (401/403) is
 * {@code UPSTREAM_SERVER} 502 whose message never contains the key; 429 is {@code RATE_LIMITED}
 * with {@code retryAfter}; 5xx and unreadable answers are {@code UPSTREAM_SERVER} 502. A
 * {@code GatewayException} thrown from a method is treated like one reported to the sink; any
 * other exception is a bug and reaches the client as a 500.
 *
 * <p>Optional abilities are separate interfaces an adapter also implements, such as
 * {@link SupportsEmbeddings}.
 */
public interface ProviderAdapter extends AutoCloseable {

    /**
     * The inbound formats this adapter passes through untouched. The default is none: every
     * request is translated from the canonical model.
     */
    default Set<WireFormat> nativeFormats() {
        return Set.of();
    }

    /** A non-streamed answer; exactly one terminal call on {@code sink}. */
    void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink);

    /**
     * A streamed answer: deliver events to {@code sink} as they arrive, without buffering, and
     * always obtain usage from the provider when it can report it.
     */
    void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink);

    /** Releases resources at shutdown. */
    @Override
    default void close() {}
}
