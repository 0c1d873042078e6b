package dev.tollgate.kernel.server;

import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.config.ServerSettings;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.metrics.Metrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Accepts client connections: counts them against {@code max_connections}, refuses the ones
 * over it (and, while the process is out of file descriptors, every one) with a raw 503, and
 * wraps the rest in a {@link GuardedConnection} before Undertow sees them.
 */
final class ConnectionGuards implements ChannelListener<AcceptingChannel<StreamConnection>> {

    private static final byte[] TOO_MANY = refusal("too_many_connections",
            "the gateway has too many open connections; retry shortly");
    /** A refused connection lingers this long at most: it holds a descriptor meanwhile. */
    private static final long REFUSAL_LINGER_MILLIS = 1000;

    final int maxHeadBytes;
    final long startNanos;
    final long headerNanos;
    final long bodyNanos;
    final long idleNanos;
    final long sendNanos;
    final long lingerMillis;
    final RequestMemory memory;

    private final int maxConnections;
    private final ChannelListener<StreamConnection> undertow;
    private final XnioWorker worker;
    private final ConnectionSweep[] sweeps;
    private final DescriptorReserve reserve;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelListener<StreamConnection> released = c -> open.decrementAndGet();
    private final Metrics.Counter refused;
    private final Metrics.Counter refusedNoDescriptors;
    private final Metrics.Counter rejected;
    private volatile boolean stopping;

    ConnectionGuards(ServerSettings s, long lingerMillis, RequestMemory memory, XnioWorker worker,
            ChannelListener<StreamConnection> undertow, KernelMetrics metrics, DescriptorReserve reserve) {
        this.maxHeadBytes = s.maxHeaderBytes();
        this.startNanos = s.requestStartTimeout().toNanos();
        this.headerNanos = s.headerTimeout().toNanos();
        this.bodyNanos = s.bodyReadTimeout().toNanos();
        this.idleNanos = s.idleTimeout().toNanos();
        this.sendNanos = s.sendTimeout().toNanos();
        this.lingerMillis = lingerMillis;
        this.memory = memory;
        this.maxConnections = s.maxConnections();
        this.undertow = undertow;
        this.worker = worker;
        this.sweeps = new ConnectionSweep[worker.getIoThreadCount()];
        this.reserve = reserve;
        this.refused = metrics.counter("tollgate_server_connections_refused_total",
                "Connections answered 503 too_many_connections and closed: over server.max_connections");
        this.refusedNoDescriptors = metrics.counter("tollgate_server_connections_refused_descriptors_total",
                "Connections closed at once because the process was out of file descriptors");
        this.rejected = metrics.counter("tollgate_server_requests_rejected_total",
                "Requests refused by the connection guard: malformed framing, oversize heads, timeouts, busy");
        metrics.gauge("tollgate_server_connections", "Open client connections", open::get);
        metrics.gauge("tollgate_server_request_buffered_bytes", "Bytes held for request bodies and heads still arriving",
                memory::used);
    }

    @Override
    public void handleEvent(AcceptingChannel<StreamConnection> acceptor) {
        StreamConnection socket;
        try {
            socket = acceptor.accept();
        } catch (IOException e) {
            return;
        }
        if (socket != null) {
            accepted(socket);
        }
    }

    private void accepted(StreamConnection socket) {
        open.incrementAndGet();
        // XNIO merges close listeners rather than replacing them: set exactly one
        if (!reserve.restore()) {
            socket.setCloseListener(released);
            refusedNoDescriptors.increment();
            write(socket, TOO_MANY);
            IoUtils.safeClose(socket);
            return;
        }
        if (open.get() > maxConnections || stopping) {
            socket.setCloseListener(released);
            refused.increment();
            if (write(socket, TOO_MANY)) {
                Linger.close(socket, 64 * 1024, REFUSAL_LINGER_MILLIS);
            } else {
                IoUtils.safeClose(socket);
            }
            return;
        }
        GuardedConnection guarded = new GuardedConnection(socket, this, sweep(socket.getIoThread()));
        socket.setCloseListener(c -> {
            open.decrementAndGet();
            guarded.socketClosed();
        });
        undertow.handleEvent(guarded);
    }

    private ConnectionSweep sweep(XnioIoThread thread) {
        int i = thread.getNumber();
        ConnectionSweep s = sweeps[i];
        if (s == null) {
            s = new ConnectionSweep(thread);
            sweeps[i] = s;
        }
        return s;
    }

    void rejected() {
        rejected.increment();
    }

    boolean stopping() {
        return stopping;
    }

    int open() {
        return open.get();
    }

    /** Shutdown began: idle connections close, requests still arriving get 503. */
    void drain() {
        for (int i = 0; i < sweeps.length; i++) {
            XnioIoThread thread = worker.getIoThread(i);
            int index = i;
            thread.execute(() -> {
                ConnectionSweep s = sweeps[index];
                if (s != null) {
                    s.forEach(GuardedConnection::drain);
                }
            });
        }
    }

    /** The process is stopping: connections close without lingering. */
    void stop() {
        stopping = true;
    }

    private static boolean write(StreamConnection socket, byte[] response) {
        ByteBuffer b = ByteBuffer.wrap(response);
        try {
            socket.getSinkChannel().write(b);
        } catch (IOException e) {
            return false;
        }
        return !b.hasRemaining();
    }

    /** A whole raw response, written before Undertow is involved. */
    private static byte[] refusal(String code, String message) {
        byte[] body = ErrorFormat.OPENAI.body(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, code).message(message).build());
        byte[] head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }
}
