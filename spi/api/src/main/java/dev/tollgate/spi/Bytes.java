package dev.tollgate.spi;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable byte sequence: request and response bodies, stream chunks. It shares its array
 * when handed one by {@link #wrapOwned} (the caller promises not to touch it again), so bodies
 * cross the SPI without copies.
 */
public final class Bytes {

    public static final Bytes EMPTY = new Bytes(new byte[0], 0, 0);

    private final byte[] array;
    private final int offset;
    private final int length;

    private Bytes(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    /** Copies {@code bytes}. */
    public static Bytes copyOf(byte[] bytes) {
        return new Bytes(bytes.clone(), 0, bytes.length);
    }

    /** Takes ownership of {@code bytes} without copying; the caller must never modify it again. */
    public static Bytes wrapOwned(byte[] bytes) {
        return new Bytes(requireNonNull(bytes, "bytes is null"), 0, bytes.length);
    }

    /** Takes ownership of a range of {@code bytes} without copying; the caller must never modify it again. */
    public static Bytes wrapOwned(byte[] bytes, int offset, int length) {
        requireNonNull(bytes, "bytes is null");
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " of " + bytes.length);
        }
        return new Bytes(bytes, offset, length);
    }

    /** Copies the remaining bytes of {@code buffer} without moving its position. */
    public static Bytes copyOf(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return new Bytes(out, 0, out.length);
    }

    public static Bytes utf8(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Bytes(b, 0, b.length);
    }

    /** A view of {@code length} bytes from {@code offset}, sharing this one's array (no copy). */
    public Bytes slice(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > this.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " of " + this.length);
        }
        return offset == 0 && length == this.length ? this : new Bytes(array, this.offset + offset, length);
    }

    public int length() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    public byte byteAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return array[offset + index];
    }

    /** A read-only view, no copy. */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
    }

    /** A stream over the bytes, no copy. */
    public InputStream openStream() {
        return new ByteArrayInputStream(array, offset, length);
    }

    /** A fresh copy. */
    public byte[] toArray() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    public String utf8() {
        return new String(array, offset, length, StandardCharsets.UTF_8);
    }

    /** Whether {@code needle} occurs (plain byte search, for cheap checks before parsing). */
    public boolean contains(byte[] needle) {
        return indexOf(needle, 0) >= 0;
    }

    /** Index of {@code needle} at or after {@code from}, or -1. */
    public int indexOf(byte[] needle, int from) {
        int last = length - needle.length;
        outer:
        for (int i = Math.max(0, from); i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (array[offset + i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other
                && Arrays.equals(array, offset, offset + length, other.array, other.offset, other.offset + other.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + array[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return "Bytes[" + length + "]";
    }
}
