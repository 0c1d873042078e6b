package dev.tollgate.spi.provider;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import java.nio.ByteBuffer;

/**
 * Where an adapter delivers a non-streamed answer: exactly one of {@link #respond},
 * {@link #respondNative}, {@link #startNative} (then its {@link NativeBody}) or {@link #fail}; calls
 * after the first terminal one are ignored. Call it only on the call's thread.
 *
 * <p>{@code headers} are extra response headers for the client (for example the provider's
 * processing time); hop-by-hop, framing and content headers are ignored.
 *
 * @param <T> the canonical answer: {@link dev.tollgate.spi.chat.ChatResponse} or {@link EmbeddingsResponse}
 */
public interface ResponseSink<T> {

    /** A translated answer, rendered by the kernel in the client's format. */
    void respond(T response, Headers headers);

    /**
     * A pass-through answer, complete and checked, forwarded byte for byte.
     *
     * @param body     the provider's body, in the request's format
     * @param observed usage and stop reason found in it
     */
    void respondNative(Bytes body, Observation observed, Headers headers);

    /**
     * Starts relaying a pass-through answer as it arrives, for bodies too large to hold: the
     * client is answered 200 at once, so a later failure can only cut the connection. Use it after
     * the provider's status and headers were checked and the body outgrew what the adapter buffers.
     *
     * @param contentLength the body's length when the provider declared it, else -1
     */
    NativeBody startNative(Headers headers, long contentLength);

    /**
     * The attempt failed before any answer went out; the kernel answers with the error in the
     * client's format (or, when routing allows, tries another attempt).
     */
    void fail(GatewayException error);

    /** The rest of a relayed pass-through body. */
    interface NativeBody {
        /** Writes {@code chunk}, which is valid only during the call (the kernel copies what it cannot send at once). */
        void write(ByteBuffer chunk);

        /** The body is complete. */
        void end(Observation observed);

        /** The body cannot be completed: the kernel cuts the client connection (the status is already sent). */
        void fail(GatewayException error);
    }
}
