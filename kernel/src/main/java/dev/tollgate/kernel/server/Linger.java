package dev.tollgate.kernel.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * A lingering close, like nginx's {@code lingering_close}: the answer is already written, so the
 * write side is shut down (the client reads the answer, then end of stream), then what the client
 * still sends is read and discarded, bounded in bytes and time, before the socket is closed.
 * Closing a socket with unread bytes makes the kernel send a reset, which can destroy the answer
 * before the client read it (a client still uploading a body it was refused for).
 */
final class Linger implements ReadReadyHandler {

    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocate(16 * 1024));

    private final StreamConnection socket;
    private final StreamSourceConduit source;
    private final long maxBytes;
    private XnioExecutor.Key timer;
    private long discarded;

    private Linger(StreamConnection socket, StreamSourceConduit source, long maxBytes) {
        this.socket = socket;
        this.source = source;
        this.maxBytes = maxBytes;
    }

    /** Lingers on {@code socket}, reading {@code source}, its socket-level conduit. Must run on the socket's I/O thread. */
    static void close(StreamConnection socket, StreamSourceConduit source, long maxBytes, long maxMillis) {
        StreamSinkConduit sink = socket.getSinkChannel().getConduit();
        try {
            sink.terminateWrites();
            if (!sink.flush()) {
                IoUtils.safeClose(socket);
                return;
            }
        } catch (IOException e) {
            IoUtils.safeClose(socket);
            return;
        }
        Linger linger = new Linger(socket, source, maxBytes);
        linger.timer = socket.getIoThread().executeAfter(() -> IoUtils.safeClose(socket), maxMillis, TimeUnit.MILLISECONDS);
        source.setReadReadyHandler(linger);
        source.resumeReads();
    }

    /** Lingers on a socket nothing else reads. */
    static void close(StreamConnection socket, long maxBytes, long maxMillis) {
        close(socket, socket.getSourceChannel().getConduit(), maxBytes, maxMillis);
    }

    @Override
    public void readReady() {
        ByteBuffer scratch = SCRATCH.get();
        try {
            while (true) {
                scratch.clear();
                int n = source.read(scratch);
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    break;
                }
                discarded += n;
                if (discarded > maxBytes) {
                    break;
                }
            }
        } catch (IOException clientGone) {
            // nothing more to read
        }
        timer.remove();
        IoUtils.safeClose(socket);
    }

    @Override
    public void forceTermination() {
        IoUtils.safeClose(socket);
    }

    @Override
    public void terminated() {
        timer.remove();
    }
}
