package dev.tollgate.spi.provider;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.http.Headers;

/**
 * Where an adapter delivers a streamed answer. Call it only on the call's thread.
 *
 * <p>The stream is committed to the client at the first {@link #event} or {@link #nativeEvent}:
 * a {@link #fail} before that becomes an ordinary error response (and lets the kernel retry or
 * fall back); after it, a protocol-correct error event that ends the stream. Only events reset the
 * kernel's stream idle timer: keep-alive comments an adapter skips do not keep a stream alive.
 * After {@link #complete} or {@link #fail} further calls are ignored.
 *
 * <p>The format's stream terminator (OpenAI's {@code [DONE]}) is the kernel's: adapters never
 * send it.
 */
public interface StreamSink {

    /** Extra response headers for the client; only before the first event. */
    void headers(Headers headers);

    /** A translated event, rendered by the kernel in the client's format and flushed at once. */
    void event(StreamEvent event);

    /**
     * A pass-through server-sent event in the request's format, forwarded and flushed at once.
     * {@code data} may hold several lines; the kernel writes each as its own {@code data:} line.
     *
     * @param name the {@code event:} field, or {@code null} for none
     * @param data the event's data, a complete JSON value the adapter checked
     */
    void nativeEvent(String name, Bytes data);

    /** What a pass-through adapter observed (usage, stop reason); later known values replace earlier ones. */
    void observe(Observation observation);

    /** The stream ended normally. */
    void complete();

    /** The stream failed. */
    void fail(GatewayException error);
}
