package dev.tollgate.kernel.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * A lingering close, like nginx's {@code lingering_close}: the answer is already written, so the
 * write side is shut down (the client reads the answer and end of stream), then what the client
 * still sends is read and discarded, bounded in bytes and time, before the socket is closed.
 * Closing a socket with unread bytes makes the kernel send a reset, which can destroy the answer
 * before the client read it (a client still uploading a body it was refused for).
 */
final class Linger {

    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocate(16 * 1024));

    private Linger() {}

    /** Must run on the connection's I/O thread. */
    static void close(StreamConnection connection, long maxBytes, long maxMillis) {
        try {
            connection.getSinkChannel().shutdownWrites();
            if (!connection.getSinkChannel().flush()) {
                IoUtils.safeClose(connection);
                return;
            }
        } catch (IOException e) {
            IoUtils.safeClose(connection);
            return;
        }
        XnioExecutor.Key timer = connection.getIoThread().executeAfter(() -> IoUtils.safeClose(connection), maxMillis,
                TimeUnit.MILLISECONDS);
        ConduitStreamSourceChannel source = connection.getSourceChannel();
        source.setConduit(source.getConduit());
        long[] discarded = {0};
        source.setReadListener(channel -> {
            ByteBuffer scratch = SCRATCH.get();
            try {
                while (true) {
                    scratch.clear();
                    int n = channel.read(scratch);
                    if (n == 0) {
                        return;
                    }
                    if (n < 0 || (discarded[0] += n) > maxBytes) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the client is gone
            }
            timer.remove();
            IoUtils.safeClose(connection);
        });
        source.resumeReads();
    }
}
