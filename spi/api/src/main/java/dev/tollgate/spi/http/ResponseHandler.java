package dev.tollgate.spi.http;

import dev.tollgate.spi.GatewayException;
import java.nio.ByteBuffer;

/**
 * Receives a streamed HTTP response. The calls arrive on the owning request's I/O thread, one at a
 * time, in this order: {@code onHeaders}, zero or more {@code onBody}, then exactly one of
 * {@code onComplete} or {@code onError} (which may also come first, when the request failed before
 * any response arrived). None of them may block.
 */
public interface ResponseHandler {

    void onHeaders(int status, Headers headers);

    /** A piece of the body, valid only during this call: copy what must outlive it. */
    void onBody(ByteBuffer chunk);

    void onComplete();

    /**
     * The exchange failed: connect refused, timeout, reset. The exception is already classified
     * (502 unreachable, 504 timeout) and carries no secret.
     */
    void onError(GatewayException error);
}
