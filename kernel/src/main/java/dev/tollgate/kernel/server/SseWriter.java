package dev.tollgate.kernel.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a server-sent event stream to the client without blocking: each event is written and
 * flushed as it comes; what the socket cannot take yet waits in a queue, and the writer tells its
 * owner when the queue passes the high-water mark (pause the upstream) and when it drained.
 * Confined to the exchange's I/O thread.
 */
public final class SseWriter {

    /** Told about back-pressure and about a client that went away. */
    public interface Listener {
        void onBackPressure(boolean congested);

        void onClientGone();
    }

    private static final Logger clientIo = LoggerFactory.getLogger("tollgate.client-io");
    private static final byte[] DATA = "data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long HIGH_WATER = 256 * 1024;
    private static final long LOW_WATER = 64 * 1024;

    private final HttpServerExchange exchange;
    private final Listener listener;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private StreamSinkChannel channel;
    private long pendingBytes;
    private boolean congested;
    private boolean finishing;
    private boolean closed;

    public SseWriter(HttpServerExchange exchange, Listener listener) {
        this.exchange = exchange;
        this.listener = listener;
    }

    /** Sends the status line and headers of the stream. */
    public void start() {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders()
                .put(new HttpString("Content-Type"), "text/event-stream; charset=utf-8")
                .put(new HttpString("Cache-Control"), "no-cache")
                .put(new HttpString("X-Accel-Buffering"), "no");
        channel = exchange.getResponseChannel();
        channel.getWriteSetter().set(ch -> drain());
    }

    public boolean isStarted() {
        return channel != null;
    }

    /** Writes {@code data: <payload>\n\n}. */
    public void event(byte[] payload, int offset, int length) {
        if (closed || finishing) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(DATA.length + length + END.length);
        b.put(DATA).put(payload, offset, length).put(END).flip();
        enqueue(b);
    }

    public void event(ByteBuffer payload) {
        if (closed || finishing) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(DATA.length + payload.remaining() + END.length);
        b.put(DATA).put(payload.duplicate()).put(END).flip();
        enqueue(b);
    }

    /** Ends the stream after everything queued was written. */
    public void finish() {
        if (closed || finishing) {
            return;
        }
        finishing = true;
        drain();
    }

    /** Aborts the stream: the connection is closed at once. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        pending.clear();
        IoUtils.safeClose(exchange.getConnection());
    }

    private void enqueue(ByteBuffer b) {
        pending.addLast(b);
        pendingBytes += b.remaining();
        drain();
    }

    private void drain() {
        if (closed || channel == null) {
            return;
        }
        try {
            ByteBuffer b;
            while ((b = pending.peekFirst()) != null) {
                int before = b.remaining();
                channel.write(b);
                pendingBytes -= before - b.remaining();
                if (b.hasRemaining()) {
                    waitForWritable();
                    return;
                }
                pending.pollFirst();
            }
            if (finishing) {
                channel.shutdownWrites();
            }
            if (!channel.flush()) {
                waitForWritable();
                return;
            }
            channel.suspendWrites();
            if (congested && pendingBytes <= LOW_WATER) {
                congested = false;
                listener.onBackPressure(false);
            }
            if (finishing) {
                closed = true;
                exchange.endExchange();
            }
        } catch (IOException e) {
            clientIo.debug("client connection failed while streaming: {}", e.toString());
            closed = true;
            pending.clear();
            IoUtils.safeClose(exchange.getConnection());
            listener.onClientGone();
        }
    }

    private void waitForWritable() {
        channel.resumeWrites();
        if (!congested && pendingBytes > HIGH_WATER) {
            congested = true;
            listener.onBackPressure(true);
        }
    }
}
