package dev.tollgate.spi.sse;

import dev.tollgate.spi.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into server-sent events as the bytes arrive, following the WHATWG rules:
 * lines end with LF, CRLF or CR; a blank line ends an event; {@code data} lines are joined with LF;
 * comment lines ({@code :…}) and {@code id}/{@code retry} fields are ignored; an event with no
 * data is not dispatched. Events may be split anywhere across {@link #feed} calls.
 *
 * <p>Not thread-safe; one parser per stream.
 */
public final class SseParser {

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<SseEvent> listener;
    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    private byte[] data = new byte[512];
    private int dataLength;
    private boolean hasData;
    private String eventName;
    private boolean lastWasCr;

    /**
     * @param listener      receives each complete event
     * @param maxEventBytes the largest event accepted; a larger one fails the stream
     */
    public SseParser(Consumer<SseEvent> listener, int maxEventBytes) {
        this.listener = listener;
        this.maxEventBytes = maxEventBytes;
    }

    public SseParser(Consumer<SseEvent> listener) {
        this(listener, 16 * 1024 * 1024);
    }

    /** Consumes all remaining bytes of {@code buffer}. */
    public void feed(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n') {
                if (lastWasCr) {
                    lastWasCr = false;
                    continue;
                }
                endLine();
            } else if (b == '\r') {
                lastWasCr = true;
                endLine();
            } else {
                lastWasCr = false;
                if (lineLength == line.length) {
                    if (lineLength >= maxEventBytes) {
                        throw new IllegalStateException("server-sent event larger than " + maxEventBytes + " bytes");
                    }
                    line = Arrays.copyOf(line, Math.min(maxEventBytes, line.length * 2));
                }
                line[lineLength++] = b;
            }
        }
    }

    /** Consumes {@code bytes}. */
    public void feed(byte[] bytes) {
        feed(ByteBuffer.wrap(bytes));
    }

    /** Signals the end of the stream; an event not ended by a blank line is dropped, as the standard says. */
    public void finish() {
        lineLength = 0;
        dataLength = 0;
        hasData = false;
        eventName = null;
    }

    private void endLine() {
        if (lineLength == 0) {
            dispatch();
            return;
        }
        if (line[0] == ':') {
            lineLength = 0;
            return;
        }
        int colon = -1;
        for (int i = 0; i < lineLength; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        int nameLength = colon < 0 ? lineLength : colon;
        int valueStart = colon < 0 ? lineLength : colon + 1;
        if (valueStart < lineLength && line[valueStart] == ' ') {
            valueStart++;
        }
        if (is(DATA, nameLength)) {
            int add = lineLength - valueStart + (hasData ? 1 : 0);
            ensureData(dataLength + add);
            if (hasData) {
                data[dataLength++] = '\n';
            }
            System.arraycopy(line, valueStart, data, dataLength, lineLength - valueStart);
            dataLength += lineLength - valueStart;
            hasData = true;
        } else if (is(EVENT, nameLength)) {
            eventName = new String(line, valueStart, lineLength - valueStart, StandardCharsets.UTF_8);
        }
        lineLength = 0;
    }

    private boolean is(byte[] name, int nameLength) {
        return nameLength == name.length && Arrays.equals(line, 0, nameLength, name, 0, nameLength);
    }

    private void ensureData(int needed) {
        if (needed > maxEventBytes) {
            throw new IllegalStateException("server-sent event larger than " + maxEventBytes + " bytes");
        }
        if (needed > data.length) {
            data = Arrays.copyOf(data, Math.max(needed, data.length * 2));
        }
    }

    private void dispatch() {
        if (hasData) {
            SseEvent event = new SseEvent(eventName, Bytes.wrapOwned(Arrays.copyOf(data, dataLength)));
            dataLength = 0;
            hasData = false;
            eventName = null;
            listener.accept(event);
        } else {
            eventName = null;
        }
    }
}
