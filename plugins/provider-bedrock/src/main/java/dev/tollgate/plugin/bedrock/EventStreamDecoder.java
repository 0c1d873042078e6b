package dev.tollgate.plugin.bedrock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * An incremental decoder of the AWS event-stream framing ({@code application/vnd.amazon.eventstream})
 * that ConverseStream answers in. Each message is
 *
 * <pre>
 * total length (4) | headers length (4) | prelude CRC32 (4) | headers | payload | message CRC32 (4)
 * </pre>
 *
 * big-endian, both CRCs the CRC-32 of gzip: the prelude's over the first 8 bytes, the message's over
 * everything before it. Bytes may arrive split anywhere. Both CRCs are verified and every length is
 * checked before anything is read from the message: the total against {@link #maxMessageBytes} (so an
 * upstream cannot make it buffer without bound) and the headers against the total. The buffer grows
 * with the bytes that arrived, not with the length a prelude claims. The first fault makes the
 * decoder throw {@link EventStreamException} and it stays failed.
 */
final class EventStreamDecoder {

    static final int PRELUDE_BYTES = 12;
    static final int MIN_MESSAGE_BYTES = 16;
    /** ConverseStream events are a few kilobytes; a redacted reasoning block is the largest. */
    static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    /** One decoded message. {@code headers} keeps the wire order; non-string values are shown as text. */
    record Message(List<Header> headers, byte[] payload) {
        /** The first header called {@code name} (names compare exactly, as the framing defines), or {@code null}. */
        String header(String name) {
            for (Header h : headers) {
                if (h.name().equals(name)) {
                    return h.value();
                }
            }
            return null;
        }
    }

    record Header(String name, String value) {}

    /** A frame that is corrupt, too large or cut short. */
    static final class EventStreamException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EventStreamException(String message) {
            super(message, null, false, false);
        }
    }

    private final Consumer<Message> listener;
    private final int maxMessageBytes;
    private byte[] buf = new byte[1024];
    private int len;
    private int total = -1;
    private boolean failed;
    private long messages;

    EventStreamDecoder(Consumer<Message> listener, int maxMessageBytes) {
        if (maxMessageBytes < MIN_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageBytes must be at least " + MIN_MESSAGE_BYTES);
        }
        this.listener = listener;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Consumes all of {@code chunk}, calling the listener for each message it completes. */
    void feed(ByteBuffer chunk) {
        if (failed) {
            throw new EventStreamException("the event stream already failed");
        }
        try {
            while (chunk.hasRemaining()) {
                int want = total < 0 ? PRELUDE_BYTES - len : total - len;
                int take = Math.min(want, chunk.remaining());
                ensure(len + take);
                chunk.get(buf, len, take);
                len += take;
                if (total < 0 && len == PRELUDE_BYTES) {
                    total = prelude();
                }
                if (total >= 0 && len == total) {
                    Message m = message();
                    len = 0;
                    total = -1;
                    messages++;
                    listener.accept(m);
                }
            }
        } catch (EventStreamException e) {
            failed = true;
            throw e;
        }
    }

    /** The upstream closed: fails if it did so inside a message. */
    void finish() {
        if (!failed && len > 0) {
            failed = true;
            throw new EventStreamException("the event stream ended inside a message (" + len + " of "
                    + (total < 0 ? "at least " + PRELUDE_BYTES : total) + " bytes)");
        }
    }

    /** How many messages were decoded. */
    long messages() {
        return messages;
    }

    private int prelude() {
        int totalLength = readInt(0);
        int headersLength = readInt(4);
        if (crc(0, 8) != readInt(8)) {
            throw new EventStreamException("bad prelude CRC in message " + (messages + 1));
        }
        if (totalLength < MIN_MESSAGE_BYTES || Integer.toUnsignedLong(totalLength) > maxMessageBytes) {
            throw new EventStreamException("message " + (messages + 1) + " declares " + Integer.toUnsignedLong(totalLength)
                    + " bytes; the limit is " + maxMessageBytes);
        }
        if (headersLength < 0 || headersLength > totalLength - MIN_MESSAGE_BYTES) {
            throw new EventStreamException("message " + (messages + 1) + " declares " + Integer.toUnsignedLong(headersLength)
                    + " bytes of headers in " + totalLength);
        }
        return totalLength;
    }

    private Message message() {
        if (crc(0, total - 4) != readInt(total - 4)) {
            throw new EventStreamException("bad message CRC in message " + (messages + 1));
        }
        int headersEnd = PRELUDE_BYTES + readInt(4);
        List<Header> headers = headers(PRELUDE_BYTES, headersEnd);
        byte[] payload = Arrays.copyOfRange(buf, headersEnd, total - 4);
        return new Message(headers, payload);
    }

    private List<Header> headers(int at, int end) {
        List<Header> out = new ArrayList<>(4);
        while (at < end) {
            int nameLength = buf[at++] & 0xff;
            need(at, nameLength + 1, end);
            String name = new String(buf, at, nameLength, StandardCharsets.UTF_8);
            at += nameLength;
            int type = buf[at++];
            String value;
            switch (type) {
                case 0 -> value = "true";
                case 1 -> value = "false";
                case 2 -> {
                    need(at, 1, end);
                    value = Byte.toString(buf[at]);
                    at += 1;
                }
                case 3 -> {
                    need(at, 2, end);
                    value = Short.toString((short) ((buf[at] & 0xff) << 8 | buf[at + 1] & 0xff));
                    at += 2;
                }
                case 4 -> {
                    need(at, 4, end);
                    value = Integer.toString(readInt(at));
                    at += 4;
                }
                case 5, 8 -> {
                    need(at, 8, end);
                    value = Long.toString((long) readInt(at) << 32 | readInt(at + 4) & 0xffffffffL);
                    at += 8;
                }
                case 6, 7 -> {
                    need(at, 2, end);
                    int n = (buf[at] & 0xff) << 8 | buf[at + 1] & 0xff;
                    at += 2;
                    need(at, n, end);
                    value = type == 7 ? new String(buf, at, n, StandardCharsets.UTF_8) : HexFormat.of().formatHex(buf, at, at + n);
                    at += n;
                }
                case 9 -> {
                    need(at, 16, end);
                    value = HexFormat.of().formatHex(buf, at, at + 16);
                    at += 16;
                }
                default -> throw new EventStreamException("unknown header value type " + type + " in message " + (messages + 1));
            }
            out.add(new Header(name, value));
        }
        return out;
    }

    private void need(int at, int n, int end) {
        if (at + n > end) {
            throw new EventStreamException("a header of message " + (messages + 1) + " runs past the headers' end");
        }
    }

    private void ensure(int capacity) {
        if (capacity > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(capacity, Math.min(maxMessageBytes, buf.length * 2)));
        }
    }

    private int readInt(int at) {
        return (buf[at] & 0xff) << 24 | (buf[at + 1] & 0xff) << 16 | (buf[at + 2] & 0xff) << 8 | buf[at + 3] & 0xff;
    }

    private int crc(int from, int to) {
        CRC32 c = new CRC32();
        c.update(buf, from, to - from);
        return (int) c.getValue();
    }
}
