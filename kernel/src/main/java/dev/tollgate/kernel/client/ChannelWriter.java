package dev.tollgate.kernel.client;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Writes a response body that is produced over time (a stream's events, a relayed body) without
 * blocking: each piece is written and flushed as it comes; what the socket cannot take yet waits
 * in a queue, and the owner is told when the queue passes the high-water mark (pause the upstream)
 * and when it drained, and when the client went away. Confined to the exchange's I/O thread.
 */
public final class ChannelWriter {

    /** Told about back-pressure and about a client that went away. */
    public interface Listener {
        void onBackPressure(boolean congested);

        void onClientGone();
    }

    private static final Logger clientIo = LoggerFactory.getLogger("tollgate.client-io");
    static final long HIGH_WATER = 256 * 1024;
    static final long LOW_WATER = 64 * 1024;

    private final HttpServerExchange exchange;
    private final Listener listener;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private StreamSinkChannel channel;
    private long pendingBytes;
    private boolean congested;
    private boolean finishing;
    private boolean closed;

    public ChannelWriter(HttpServerExchange exchange, Listener listener) {
        this.exchange = exchange;
        this.listener = listener;
    }

    /** Sends the status line and the headers already set on the exchange. */
    public void start() {
        channel = exchange.getResponseChannel();
        channel.getWriteSetter().set(ch -> drain());
    }

    public boolean isStarted() {
        return channel != null;
    }

    /** Whether nothing more will be written (finishing, finished or aborted). */
    public boolean isEnded() {
        return closed || finishing;
    }

    /** Something that sees a copy of every byte written (the body capture of a request whose bodies are logged). */
    public interface Tap {
        /** {@code bytes}' position must not be moved. */
        void copy(ByteBuffer bytes);
    }

    private Tap tap;

    public void tap(Tap t) {
        this.tap = t;
    }

    /** Writes {@code piece}, which the writer now owns. */
    public void write(ByteBuffer piece) {
        if (closed || finishing) {
            return;
        }
        if (tap != null) {
            tap.copy(piece);
        }
        pending.addLast(piece);
        pendingBytes += piece.remaining();
        drain();
    }

    /**
     * Writes {@code chunk} (valid only during the call) without copying what the socket takes at
     * once; only the rest is copied into the queue.
     */
    public void writeBorrowed(ByteBuffer chunk) {
        if (closed || finishing || !chunk.hasRemaining()) {
            return;
        }
        if (tap != null) {
            tap.copy(chunk);
        }
        if (pending.isEmpty() && channel != null) {
            try {
                channel.write(chunk);
            } catch (IOException e) {
                failed(e);
                return;
            }
        }
        if (chunk.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocate(chunk.remaining());
            copy.put(chunk).flip();
            Tap t = tap;
            tap = null;
            write(copy);
            tap = t;
        } else {
            drain();
        }
    }

    /** Ends the body after everything queued was written. */
    public void finish() {
        if (closed || finishing) {
            return;
        }
        finishing = true;
        drain();
    }

    /** Aborts: the connection is closed at once (the client sees a cut body). */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        pending.clear();
        IoUtils.safeClose(exchange.getConnection());
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
            failed(e);
        }
    }

    private void failed(IOException e) {
        clientIo.debug("client connection failed while writing: {}", e.toString());
        closed = true;
        pending.clear();
        IoUtils.safeClose(exchange.getConnection());
        listener.onClientGone();
    }

    private void waitForWritable() {
        channel.resumeWrites();
        if (!congested && pendingBytes > HIGH_WATER) {
            congested = true;
            listener.onBackPressure(true);
        }
    }
}
