package dev.tollgate.kernel.codec;

import dev.tollgate.spi.Bytes;

/**
 * A received request body: the bytes as they arrived, and where its JSON starts (after a
 * byte-order mark). The array is owned: nothing writes to it after reception.
 */
public record RequestBody(byte[] array, int offset, int length) {

    /** Wraps a received body, skipping a UTF-8 byte-order mark; refuses UTF-16 and UTF-32 with 400. */
    public static RequestBody of(byte[] received) {
        int start = BodyJson.start(received);
        return new RequestBody(received, start, received.length - start);
    }

    /** The JSON, without copying: what passes through to a same-format provider. */
    public Bytes bytes() {
        return Bytes.wrapOwned(array, offset, length);
    }
}
