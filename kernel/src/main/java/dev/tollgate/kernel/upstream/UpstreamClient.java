package dev.tollgate.kernel.upstream;

import dev.tollgate.kernel.config.UpstreamSettings;
import dev.tollgate.kernel.io.IoBufferPool;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.time.Ticker;
import io.undertow.UndertowOptions;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The kernel's outbound HTTP client, built on Undertow's own client (measured 2-5x cheaper than
 * the JDK's on this kind of machine; see docs/decisions.md). Connections are pooled per I/O thread
 * and origin, kept alive, and negotiated to HTTP/2 over TLS where the upstream offers it, or spoken
 * to with HTTP/2 prior knowledge (h2c) when the request asks. All work for one exchange happens on
 * one I/O thread, without locks.
 *
 * <p>Two process-wide budgets are shared by all threads. Buffered responses ({@link #send}) hold at
 * most {@link UpstreamSettings#maxBufferedResponseBytes()} together, counted from the first byte
 * until the response is handed to the caller. Open upstream connections are capped so that the
 * process keeps file descriptors for accepting clients: past the cap a request fails at once with
 * 503 {@code gateway_overloaded} instead of taking the last descriptor (see docs/performance.md).
 */
public final class UpstreamClient implements AutoCloseable {

    /** A running exchange, which the owner may cancel, pause and resume (back-pressure). */
    public interface Handle {
        void cancel();

        void pause();

        void resume();
    }

    /** A buffered response starts this small whatever its declared length; it grows as bytes arrive. */
    static final int PRESIZE = 16 * 1024;

    private final XnioWorker worker;
    private final ByteBufferPool buffers;
    private final UndertowXnioSsl ssl;
    /** For TLS (HTTP/2 offered by ALPN) and h2c prior knowledge. */
    private final OptionMap options;
    /**
     * For clear-text HTTP/1.1: without {@code ENABLE_HTTP2}, else Undertow's client asks for an h2c
     * upgrade on a connection's first request and an h2c-capable upstream switches protocols.
     */
    private final OptionMap http11Options;
    private final Map<Thread, ConnectionPools> pools;
    private final Map<Thread, Deadlines> deadlines;
    private final UndertowClient undertow = UndertowClient.getInstance();
    private final long maxResponseBytes;
    private final long maxBufferedBytes;
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final int maxConnections;
    private final AtomicInteger openConnections = new AtomicInteger();
    private int nextThread;

    /** A client with the default {@link UpstreamSettings}. */
    public UpstreamClient(XnioWorker worker, SSLContext sslContext, int maxIdlePerOrigin, long maxIdleMillis) {
        this(worker, sslContext, maxIdlePerOrigin, maxIdleMillis, UpstreamSettings.DEFAULTS);
    }

    public UpstreamClient(XnioWorker worker, SSLContext sslContext, int maxIdlePerOrigin, long maxIdleMillis,
            UpstreamSettings settings) {
        this(worker, sslContext, maxIdlePerOrigin, maxIdleMillis, settings, Ticker.system(), Deadlines.Scheduler::of);
    }

    /** With the clock of the deadlines and the scheduler of their sweeps given, for tests. */
    UpstreamClient(XnioWorker worker, SSLContext sslContext, int maxIdlePerOrigin, long maxIdleMillis,
            UpstreamSettings settings, Ticker ticker, Function<XnioIoThread, Deadlines.Scheduler> sweeps) {
        this.worker = worker;
        this.buffers = new IoBufferPool(true, 16 * 1024, IoBufferPool.MAX_IDLE);
        try {
            this.ssl = new UndertowXnioSsl(worker.getXnio(),
                    OptionMap.create(UndertowOptions.ENDPOINT_IDENTIFICATION_ALGORITHM, "HTTPS"),
                    sslContext != null ? sslContext : SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
        this.options = OptionMap.builder()
                .set(Options.TCP_NODELAY, true)
                .set(UndertowOptions.ENABLE_HTTP2, true)
                .set(UndertowOptions.ENDPOINT_IDENTIFICATION_ALGORITHM, "HTTPS")
                .getMap();
        this.http11Options = OptionMap.builder()
                .set(Options.TCP_NODELAY, true)
                .getMap();
        this.maxResponseBytes = settings.maxResponseBytes();
        this.maxBufferedBytes = settings.maxBufferedResponseBytes();
        this.maxConnections = settings.maxConnections() > 0 ? settings.maxConnections() : connectionsForDescriptorLimit();
        Map<Thread, ConnectionPools> byThread = new IdentityHashMap<>();
        Map<Thread, Deadlines> deadlinesByThread = new IdentityHashMap<>();
        for (int i = 0; i < worker.getIoThreadCount(); i++) {
            XnioIoThread t = worker.getIoThread(i);
            byThread.put(t, new ConnectionPools(maxIdlePerOrigin, TimeUnit.MILLISECONDS.toNanos(maxIdleMillis),
                    settings.maxStreamsPerConnection()));
            deadlinesByThread.put(t, new Deadlines(sweeps.apply(t), ticker));
        }
        this.pools = byThread;
        this.deadlines = deadlinesByThread;
    }

    /**
     * Half of the descriptors left when the client starts, less a reserve (a sixteenth of the limit,
     * 64 to 1024): over HTTP/1.1 every proxied request holds one client and one upstream socket, so
     * when upstream connections stop here the accepting side still has the reserve, and a client
     * beyond the limit is accepted and answered 503 at once. Without it the last descriptor went to
     * an upstream connection and XNIO's acceptor, failing with EMFILE, backed off for 0.25, 1, 4,
     * 16, then 30 s while clients waited unseen in the listen backlog.
     */
    static int connectionsForDescriptorLimit() {
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                long max = unix.getMaxFileDescriptorCount();
                long open = unix.getOpenFileDescriptorCount();
                long reserve = Math.max(64, Math.min(1024, max / 16));
                return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (max - open - reserve) / 2));
            }
        } catch (LinkageError | RuntimeException notAvailable) {
            // no descriptor accounting on this platform: no cap
        }
        return Integer.MAX_VALUE;
    }

    ByteBufferPool buffers() {
        return buffers;
    }

    void connect(Origin origin, XnioIoThread thread, ClientCallback<ClientConnection> callback) {
        undertow.connect(callback, null, origin.connectUri(), thread, origin.https() ? ssl : null, buffers,
                origin.https() || origin.h2c() ? options : http11Options);
    }

    /**
     * Takes a permit for a new connection; at the cap, closes an idle pooled connection of this
     * thread to make room, or refuses.
     */
    boolean acquireConnection(ConnectionPools threadPools) {
        if (openConnections.get() >= maxConnections && !threadPools.evictIdle()) {
            return false;
        }
        openConnections.incrementAndGet();
        return true;
    }

    /** The permit of a connection that could not be made. */
    void connectionFailed() {
        openConnections.decrementAndGet();
    }

    /** Returns the permit of {@code c} once, when it closes. */
    void track(ClientConnection c) {
        AtomicBoolean released = new AtomicBoolean();
        c.addCloseListener(closed -> {
            if (released.compareAndSet(false, true)) {
                openConnections.decrementAndGet();
            }
        });
        if (!c.isOpen() && released.compareAndSet(false, true)) {
            openConnections.decrementAndGet();
        }
    }

    /**
     * Starts an exchange on {@code thread}, which must be the current thread and one of the
     * worker's I/O threads; every callback of {@code handler} runs on it.
     */
    public Handle exchange(XnioIoThread thread, UpstreamRequest request, ResponseHandler handler) {
        UpstreamExchange exchange = newExchange(thread, request, handler);
        exchange.start();
        return exchange;
    }

    private UpstreamExchange newExchange(XnioIoThread thread, UpstreamRequest request, ResponseHandler handler) {
        ConnectionPools p = pools.get(thread);
        if (p == null || Thread.currentThread() != thread) {
            throw new IllegalStateException("upstream exchanges start on their own I/O thread");
        }
        return new UpstreamExchange(this, thread, p, deadlines.get(thread), request, handler);
    }

    /** An I/O thread for work that belongs to no request. */
    public XnioIoThread anyIoThread() {
        int i = Math.floorMod(nextThread++, worker.getIoThreadCount());
        return worker.getIoThread(i);
    }

    /**
     * Buffers a whole response, within the per-response and the process-wide bounds; completes on
     * {@code thread}. The bytes are counted from their arrival until the response is handed over
     * (the stage completes) or the exchange ends otherwise; after the hand-over they belong to the
     * caller and are no longer counted, though they stay reachable until the caller drops them.
     */
    public CompletionStage<UpstreamResponse> send(XnioIoThread thread, UpstreamRequest request, Handle[] handleOut) {
        CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
        BufferingHandler buffering = new BufferingHandler(result);
        UpstreamExchange exchange = newExchange(thread, request, buffering);
        buffering.attach(exchange);
        exchange.start();
        if (handleOut != null) {
            handleOut[0] = buffering;
        }
        return result;
    }

    /** Bytes held by buffered responses in flight, across all threads. */
    public long bufferedResponseBytes() {
        return bufferedBytes.get();
    }

    /** Open upstream connections, pooled idle ones included, across all threads. */
    public int openConnections() {
        return openConnections.get();
    }

    /** The cap on {@link #openConnections()}. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Idle pooled connections across all threads (read on the I/O threads; approximate). */
    public int idleConnections() {
        int n = 0;
        for (ConnectionPools p : pools.values()) {
            n += p.idleCount();
        }
        return n;
    }

    /** Runs one deadline sweep of {@code thread} on it (tests whose sweeps are not scheduled). */
    void sweep(XnioIoThread thread) {
        Deadlines d = deadlines.get(thread);
        thread.execute(d::sweep);
    }

    @Override
    public void close() {
        for (Map.Entry<Thread, ConnectionPools> e : pools.entrySet()) {
            ((XnioIoThread) e.getKey()).execute(e.getValue()::closeAll);
        }
    }

    private boolean reserve(long bytes) {
        long now;
        do {
            now = bufferedBytes.get();
            if (now + bytes > maxBufferedBytes) {
                return false;
            }
        } while (!bufferedBytes.compareAndSet(now, now + bytes));
        return true;
    }

    private void unreserve(long bytes) {
        bufferedBytes.addAndGet(-bytes);
    }

    /**
     * Collects a response body in one array that grows as bytes arrive (doubling, never past the
     * declared length while the upstream keeps to it, never past the per-response bound) and is
     * handed over without a copy. Its capacity is reserved in the process-wide budget before it is
     * allocated; while growing, old and new array are both counted. The reservation is given back
     * exactly once: when the response is handed over, fails, or the owner cancels the exchange.
     */
    private final class BufferingHandler implements ResponseHandler, Handle {
        private final CompletableFuture<UpstreamResponse> result;
        private UpstreamExchange exchange;
        private byte[] body;
        private int length;
        private long declared = -1;
        private long reserved;
        private int status;
        private Headers headers;
        private boolean ended;

        BufferingHandler(CompletableFuture<UpstreamResponse> result) {
            this.result = result;
        }

        void attach(UpstreamExchange e) {
            this.exchange = e;
        }

        @Override
        public void onHeaders(int status, Headers headers) {
            this.status = status;
            this.headers = headers;
            String cl = headers.first("Content-Length").orElse(null);
            if (cl != null) {
                try {
                    declared = Long.parseLong(cl.trim());
                } catch (NumberFormatException ignored) {
                    // the body is read to its end either way
                }
            }
            if (declared > maxResponseBytes) {
                end(UpstreamFailure.responseTooLarge(exchange.origin(), maxResponseBytes));
            }
        }

        @Override
        public void onBody(ByteBuffer chunk) {
            if (ended) {
                return;
            }
            int n = chunk.remaining();
            long needed = (long) length + n;
            if (needed > maxResponseBytes) {
                end(UpstreamFailure.responseTooLarge(exchange.origin(), maxResponseBytes));
                return;
            }
            if (body == null || needed > body.length) {
                if (!grow(needed)) {
                    end(UpstreamFailure.bufferedTooLarge(exchange.origin(), maxBufferedBytes));
                    return;
                }
            }
            chunk.get(body, length, n);
            length += n;
        }

        private boolean grow(long needed) {
            int old = body == null ? 0 : body.length;
            long target = old == 0 ? PRESIZE : (long) old * 2;
            if (declared >= needed) {
                target = Math.min(target, declared);
            }
            int capacity = (int) Math.min(maxResponseBytes, Math.max(needed, target));
            if (!reserve(capacity)) {
                return false;
            }
            reserved += capacity;
            byte[] bigger = new byte[capacity];
            if (length > 0) {
                System.arraycopy(body, 0, bigger, 0, length);
            }
            body = bigger;
            unreserve(old);
            reserved -= old;
            return true;
        }

        @Override
        public void onComplete() {
            if (ended) {
                return;
            }
            ended = true;
            release();
            Bytes bytes = body == null ? Bytes.EMPTY : Bytes.wrapOwned(body, 0, length);
            body = null;
            result.complete(new UpstreamResponse(status, headers, bytes));
        }

        @Override
        public void onError(GatewayException error) {
            if (!ended) {
                ended = true;
                release();
                body = null;
                result.completeExceptionally(error);
            }
        }

        /** Over a bound: the exchange is cancelled, so its connection is closed, never reused. */
        private void end(GatewayException error) {
            ended = true;
            release();
            body = null;
            exchange.cancel();
            result.completeExceptionally(error);
        }

        private void release() {
            if (reserved != 0) {
                unreserve(reserved);
                reserved = 0;
            }
        }

        @Override
        public void cancel() {
            exchange.cancel();
            ended = true;
            release();
            body = null;
        }

        @Override
        public void pause() {
            exchange.pause();
        }

        @Override
        public void resume() {
            exchange.resume();
        }
    }
}
