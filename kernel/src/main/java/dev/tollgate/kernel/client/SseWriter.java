package dev.tollgate.kernel.client;

import dev.tollgate.kernel.logging.Secrets;
import dev.tollgate.spi.Bytes;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes a server-sent event stream to the client through a {@link ChannelWriter}.
 *
 * <p>Framing is the writer's alone: an event's name and every line of its data get their own
 * field line ({@code event: x}, {@code data: line}), so data holding a line break can never end an
 * event early or inject a field. Confined to the exchange's I/O thread.
 */
public final class SseWriter {

    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");
    private static final HttpString CACHE_CONTROL = new HttpString("Cache-Control");
    private static final HttpString ACCEL_BUFFERING = new HttpString("X-Accel-Buffering");
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private final HttpServerExchange exchange;
    private final ChannelWriter out;

    public SseWriter(HttpServerExchange exchange, ChannelWriter.Listener listener) {
        this.exchange = exchange;
        this.out = new ChannelWriter(exchange, listener);
    }

    /** Shows {@code t} every byte of the stream as written. */
    public void tap(ChannelWriter.Tap t) {
        out.tap(t);
    }

    /** Sends the status line and headers of the stream. */
    public void start() {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders()
                .put(CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .put(CACHE_CONTROL, "no-cache")
                .put(ACCEL_BUFFERING, "no");
        out.start();
    }

    public boolean isStarted() {
        return out.isStarted();
    }

    public boolean isEnded() {
        return out.isEnded();
    }

    /** Writes one event: {@code event: name} (when not null) and each line of {@code data} as a {@code data:} line. */
    public void event(String name, byte[] data, int offset, int length) {
        if (out.isEnded()) {
            return;
        }
        out.write(frame(name, data, offset, length));
    }

    public void event(String name, byte[] data) {
        event(name, data, 0, data.length);
    }

    /** {@link #event(String, byte[], int, int)} for data held in {@link Bytes}. */
    public void event(String name, Bytes data) {
        if (out.isEnded()) {
            return;
        }
        ByteBuffer view = data.asByteBuffer();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        out.write(frame(name, copy, 0, copy.length));
    }

    /** Ends the stream after everything queued was written. */
    public void finish() {
        out.finish();
    }

    /** Aborts the stream: the connection is closed at once. */
    public void abort() {
        out.abort();
    }

    static ByteBuffer frame(String name, byte[] data, int offset, int length) {
        int end = offset + length;
        int breaks = 0;
        for (int i = offset; i < end; i++) {
            byte c = data[i];
            if (c == '\n' || (c == '\r' && (i + 1 == end || data[i + 1] != '\n'))) {
                breaks++;
            }
        }
        byte[] nameBytes = name == null ? null : name.getBytes(StandardCharsets.UTF_8);
        int size = (nameBytes == null ? 0 : EVENT.length + nameBytes.length + 1) + length + (breaks + 1) * (DATA.length + 1) + 1;
        ByteBuffer b = ByteBuffer.allocate(size);
        if (nameBytes != null) {
            b.put(EVENT).put(nameBytes).put((byte) '\n');
        }
        b.put(DATA);
        int lineStart = offset;
        for (int i = offset; i < end; i++) {
            byte c = data[i];
            if (c == '\n' || c == '\r') {
                b.put(data, lineStart, i - lineStart).put((byte) '\n').put(DATA);
                if (c == '\r' && i + 1 < end && data[i + 1] == '\n') {
                    i++;
                }
                lineStart = i + 1;
            }
        }
        b.put(data, lineStart, end - lineStart).put((byte) '\n').put((byte) '\n');
        if (Secrets.any()) {
            Secrets.maskInPlace(b.array(), 0, b.position());
        }
        return b.flip();
    }
}
