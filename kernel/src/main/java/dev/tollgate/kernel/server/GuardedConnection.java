package dev.tollgate.kernel.server;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.xnio.IoUtils;
import org.xnio.Option;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.Buffers;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * A client connection as Undertow sees it: the accepted socket with a guard in front of Undertow's
 * request parser, and a close that lingers.
 *
 * <p>Every inbound byte passes {@link RequestFraming} before Undertow reads it. A request head
 * that arrives in one read passes through in place; one that arrives in pieces is held here
 * (against {@link RequestMemory}) and handed over only once complete and valid, so Undertow never
 * parses, buffers or answers a bad or endless head. A bad head is replaced by a request for
 * {@link #REJECTED_PATH}, which the root handler answers with the {@link Rejection} as OpenAI
 * error JSON after every request before it, in order; a broken or stalled body makes the body's
 * reader fail with a {@link FramingException}. The same state drives the deadlines of each phase
 * (first request, head, body, keep-alive), swept by {@link ConnectionSweep}.
 *
 * <p>Confined to the connection's I/O thread, except {@link #closeAction}, which may come from
 * elsewhere and hands over to the thread.
 */
final class GuardedConnection extends StreamConnection implements ExchangeCompletionListener {

    /** The path of the request that stands in for a rejected one. */
    static final String REJECTED_PATH = "/.tollgate/rejected";
    private static final byte[] MARKER = ("GET " + REJECTED_PATH + " HTTP/1.1\r\nHost: tollgate\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    GuardedConnection sweepPrevious;
    GuardedConnection sweepNext;
    boolean swept;

    private final StreamConnection socket;
    private final ConnectionGuards guards;
    private final ConnectionSweep sweep;
    private final RequestFraming framing;
    private final Source source;

    private byte[] hold;
    private int holdPos;
    private int holdDeliverEnd;
    private int holdLen;

    private Rejection rejection;
    private int markerPos;
    private Rejection failure;
    private boolean failureOwned;
    private Consumer<Rejection> bodyWatcher;
    private long refusedAt;

    private boolean readsTerminated;
    private boolean eof;
    private boolean readError;
    private boolean lingerless;
    private boolean lingering;
    private boolean closed;
    private boolean sawBytes;
    private volatile boolean exchangeActive;
    private final long acceptedAt;
    private long headStartedAt;
    private long lastReadAt;
    private volatile long idleSince;
    private long writeStalledSince;
    private RequestMemory.Share share;

    GuardedConnection(StreamConnection socket, ConnectionGuards guards, ConnectionSweep sweep) {
        super(socket.getIoThread());
        this.socket = socket;
        this.guards = guards;
        this.sweep = sweep;
        this.framing = new RequestFraming(guards.maxHeadBytes);
        this.source = new Source(socket.getSourceChannel().getConduit());
        this.acceptedAt = System.nanoTime();
        setSourceConduit(source);
        setSinkConduit(new Sink(socket.getSinkChannel().getConduit()));
        sweep.add(this);
    }

    /** The guarded connection of an exchange, or null when it came another way. */
    static GuardedConnection of(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof HttpServerConnection c && c.getChannel() instanceof GuardedConnection g ? g : null;
    }

    /** The rejection a {@link #REJECTED_PATH} request stands for, or null when this connection rejected nothing. */
    Rejection rejection() {
        return rejection;
    }

    /** An exchange on this connection began: no keep-alive or head deadline runs until it completes. */
    void exchangeStarted(HttpServerExchange exchange) {
        exchangeActive = true;
        exchange.addExchangeCompleteListener(this);
    }

    /** Lets this connection give back the body bytes of its current request should it close first. */
    void holds(RequestMemory.Share s) {
        share = s;
    }

    /** The body reader is done: a later failure belongs to whatever reads next. */
    void unwatchBody(Consumer<Rejection> watcher) {
        if (bodyWatcher == watcher) {
            bodyWatcher = null;
        }
    }

    /**
     * The body reader of the current request: told (once, from a task on this thread) when the
     * body breaks its framing, stalls or is cut by shutdown, so it can answer; reads then see no
     * more bytes. Without one, the read that would see them fails and Undertow closes.
     */
    void watchBody(Consumer<Rejection> watcher) {
        bodyWatcher = watcher;
        if (failure != null && !failureOwned) {
            hand(failure);
        }
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        exchangeActive = false;
        bodyWatcher = null;
        idleSince = System.nanoTime();
        if (share != null) {
            share.release();
            share = null;
        }
        next.proceed();
    }

    @Override
    public SocketAddress getPeerAddress() {
        return socket.getPeerAddress(SocketAddress.class);
    }

    @Override
    public SocketAddress getLocalAddress() {
        return socket.getLocalAddress(SocketAddress.class);
    }

    @Override
    public boolean supportsOption(Option<?> option) {
        return socket.supportsOption(option);
    }

    @Override
    public <T> T getOption(Option<T> option) throws IOException {
        return socket.getOption(option);
    }

    @Override
    public <T> T setOption(Option<T> option, T value) throws IOException {
        return socket.setOption(option, value);
    }

    @Override
    protected void closeAction() {
        if (getIoThread() != Thread.currentThread()) {
            getIoThread().execute(this::closeOnThread);
        } else {
            closeOnThread();
        }
    }

    /** The accepted socket closed, whoever closed it. */
    void socketClosed() {
        IoUtils.safeClose(this);
    }

    private void closeOnThread() {
        if (closed) {
            return;
        }
        closed = true;
        sweep.remove(this);
        dropHold();
        if (share != null) {
            share.release();
            share = null;
        }
        if (lingerless || eof || readError || guards.stopping() || !socket.isOpen()) {
            IoUtils.safeClose(socket);
        } else {
            lingering = true;
            Linger.close(socket, source.socketSide(), RequestBodyReader.DRAIN_CAP, guards.lingerMillis);
        }
    }

    /** Called by the sweep of this connection's thread. */
    void checkDeadline(long now) {
        if (closed) {
            return;
        }
        if (writeStalledSince != 0 && now - writeStalledSince > guards.sendNanos) {
            closeAtOnce();
            return;
        }
        if (failure != null || rejection != null) {
            // answered by now unless nothing reads: a request before it may still be running
            if (!exchangeActive && now - refusedAt > guards.lingerMillis * 1_000_000L) {
                closeAtOnce();
            }
            return;
        }
        if (framing.inBody()) {
            if (now - lastReadAt > guards.bodyNanos) {
                fail(Rejection.BODY_TIMEOUT, now);
            }
            return;
        }
        if (exchangeActive) {
            return;
        }
        if (!sawBytes) {
            if (now - acceptedAt > guards.startNanos) {
                closeAtOnce();
            }
        } else if (framing.inHead() || holdLen > holdDeliverEnd) {
            if (now - headStartedAt > guards.headerNanos) {
                reject(Rejection.HEADER_TIMEOUT, now);
            }
        } else if (now - Math.max(idleSince, lastReadAt) > guards.idleNanos) {
            closeAtOnce();
        }
    }

    /** Shutdown: idle connections close now, requests still arriving are answered 503. */
    void drain() {
        if (closed || failure != null || rejection != null) {
            return;
        }
        long now = System.nanoTime();
        if (framing.inBody()) {
            fail(Rejection.SHUTTING_DOWN, now);
        } else if (!exchangeActive) {
            if (framing.inHead() || holdLen > holdDeliverEnd) {
                reject(Rejection.SHUTTING_DOWN, now);
            } else {
                closeAtOnce();
            }
        }
    }

    private void closeAtOnce() {
        lingerless = true;
        IoUtils.safeClose(this);
    }

    private void fail(Rejection r, long now) {
        failure = r;
        refusedAt = now;
        guards.rejected();
        if (bodyWatcher != null) {
            hand(r);
        } else {
            source.wake();
        }
    }

    private void hand(Rejection r) {
        Consumer<Rejection> watcher = bodyWatcher;
        bodyWatcher = null;
        failureOwned = true;
        getIoThread().execute(() -> watcher.accept(r));
    }

    private void reject(Rejection r, long now) {
        dropHold();
        rejection = r;
        refusedAt = now;
        guards.rejected();
        source.wake();
    }

    private int read(StreamSourceConduit next, ByteBuffer dst) throws IOException {
        if (readsTerminated) {
            return -1;
        }
        if (holdPos < holdDeliverEnd) {
            return deliverHeld(dst);
        }
        if (failure != null) {
            if (failureOwned) {
                return 0;
            }
            throw new FramingException(failure);
        }
        if (rejection != null) {
            return deliverMarker(next, dst);
        }
        int p0 = dst.position();
        int n;
        try {
            n = next.read(dst);
        } catch (IOException e) {
            readError = true;
            throw e;
        }
        if (n <= 0) {
            if (n < 0) {
                eof = true;
            }
            return n;
        }
        long now = System.nanoTime();
        lastReadAt = now;
        sawBytes = true;
        int end = p0 + n;
        boolean partialHeld = holdLen > holdDeliverEnd;
        int stop = framing.scan(dst, p0, end);
        int began = framing.headBeganAt();
        if (began >= 0) {
            headStartedAt = now;
        }
        Rejection v = framing.violation();
        if (v != null) {
            return violation(next, dst, p0, stop, end, began, partialHeld, v, now);
        }
        if (!partialHeld) {
            if (!framing.inHead()) {
                return n;
            }
            if (!append(dst, began, end)) {
                return busy(next, dst, p0, began, now);
            }
            holdDeliverEnd = holdPos;
            dst.position(began);
            return began - p0;
        }
        if (!append(dst, p0, end)) {
            return busy(next, dst, p0, p0, now);
        }
        dst.position(p0);
        if (!framing.inHead()) {
            holdDeliverEnd = holdLen;
        } else if (began >= 0) {
            holdDeliverEnd = holdLen - (end - began);
        }
        return holdPos < holdDeliverEnd ? deliverHeld(dst) : 0;
    }

    private int violation(StreamSourceConduit next, ByteBuffer dst, int p0, int stop, int end, int began, boolean partialHeld,
            Rejection v, long now) throws IOException {
        if (framing.inBody()) {
            dst.position(stop);
            fail(v, now);
            if (stop > p0) {
                return stop - p0;
            }
            if (failureOwned) {
                return 0;
            }
            throw new FramingException(v);
        }
        if (partialHeld && began >= 0 && append(dst, p0, began)) {
            holdDeliverEnd = holdLen;
            dst.position(p0);
            rejection = v;
            refusedAt = now;
            guards.rejected();
            return deliverHeld(dst);
        }
        int keep = partialHeld ? p0 : began;
        dst.position(keep);
        reject(v, now);
        return keep > p0 ? keep - p0 : deliverMarker(next, dst);
    }

    private int busy(StreamSourceConduit next, ByteBuffer dst, int p0, int keep, long now) throws IOException {
        dst.position(keep);
        reject(Rejection.BUSY, now);
        return keep > p0 ? keep - p0 : deliverMarker(next, dst);
    }

    private int deliverMarker(StreamSourceConduit next, ByteBuffer dst) throws IOException {
        if (markerPos < MARKER.length) {
            int n = Math.min(dst.remaining(), MARKER.length - markerPos);
            dst.put(MARKER, markerPos, n);
            markerPos += n;
            return n;
        }
        int p0 = dst.position();
        int n = next.read(dst);
        dst.position(p0);
        if (n < 0) {
            eof = true;
        }
        return n < 0 ? -1 : 0;
    }

    private int deliverHeld(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), holdDeliverEnd - holdPos);
        dst.put(hold, holdPos, n);
        holdPos += n;
        if (holdPos == holdLen) {
            dropHold();
        } else if (holdPos == holdDeliverEnd) {
            System.arraycopy(hold, holdPos, hold, 0, holdLen - holdPos);
            holdLen -= holdPos;
            holdDeliverEnd = 0;
            holdPos = 0;
        }
        return n;
    }

    /** Appends {@code dst[from, to)} to the held bytes; false when the process-wide request memory is spent. */
    private boolean append(ByteBuffer dst, int from, int to) {
        int n = to - from;
        int needed = holdLen + n;
        int capacity = hold == null ? 0 : hold.length;
        if (needed > capacity) {
            int grown = Math.max(needed, Math.min(capacity * 2, guards.maxHeadBytes + MARKER.length + 16 * 1024));
            grown = Math.max(grown, 1024);
            if (!guards.memory.tryReserve(grown - capacity)) {
                return false;
            }
            byte[] bigger = new byte[grown];
            if (hold != null) {
                System.arraycopy(hold, 0, bigger, 0, holdLen);
            }
            hold = bigger;
        }
        dst.get(from, hold, holdLen, n);
        holdLen = needed;
        return true;
    }

    private void dropHold() {
        if (hold != null) {
            guards.memory.release(hold.length);
            hold = null;
        }
        holdPos = 0;
        holdDeliverEnd = 0;
        holdLen = 0;
    }

    private boolean pending() {
        return holdPos < holdDeliverEnd || (failure != null && !failureOwned) || (rejection != null && markerPos < MARKER.length);
    }

    private void wrote(long n, boolean wanted) {
        if (n > 0) {
            writeStalledSince = 0;
        } else if (wanted && writeStalledSince == 0) {
            writeStalledSince = System.nanoTime();
        }
    }

    /** Notes when the client stops taking the response: a write that moves nothing starts {@code send_timeout}. */
    private final class Sink extends AbstractStreamSinkConduit<StreamSinkConduit> {

        Sink(StreamSinkConduit next) {
            super(next);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            boolean wanted = src.hasRemaining();
            int n = next.write(src);
            wrote(n, wanted);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            boolean wanted = Buffers.hasRemaining(srcs, offset, length);
            long n = next.write(srcs, offset, length);
            wrote(n, wanted);
            return n;
        }

        @Override
        public int writeFinal(ByteBuffer src) throws IOException {
            return Conduits.writeFinalBasic(this, src);
        }

        @Override
        public long writeFinal(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return Conduits.writeFinalBasic(this, srcs, offset, length);
        }

        @Override
        public long transferFrom(FileChannel src, long position, long count) throws IOException {
            long n = next.transferFrom(src, position, count);
            wrote(n, count > 0);
            return n;
        }

        @Override
        public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
            return Conduits.transfer(source, count, throughBuffer, this);
        }
    }

    /** The guard in front of Undertow's parser. */
    private final class Source extends AbstractStreamSourceConduit<StreamSourceConduit> {

        Source(StreamSourceConduit next) {
            super(next);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return GuardedConnection.this.read(next, dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            for (int i = offset; i < offset + length; i++) {
                if (dsts[i].hasRemaining()) {
                    return read(dsts[i]);
                }
            }
            return 0;
        }

        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            return Conduits.transfer(this, count, throughBuffer, target);
        }

        /** Keeps the socket readable: the close that follows lingers on it. */
        @Override
        public void terminateReads() {
            readsTerminated = true;
        }

        @Override
        public boolean isReadShutdown() {
            return readsTerminated || next.isReadShutdown();
        }

        StreamSourceConduit socketSide() {
            return next;
        }

        /** Once the close lingers, it alone reads the socket; Undertow resetting its channel must not take it back. */
        @Override
        public void setReadReadyHandler(ReadReadyHandler handler) {
            if (!lingering) {
                next.setReadReadyHandler(handler);
            }
        }

        @Override
        public void suspendReads() {
            if (!lingering) {
                next.suspendReads();
            }
        }

        @Override
        public void resumeReads() {
            if (lingering) {
                return;
            }
            if (pending()) {
                next.wakeupReads();
            } else {
                next.resumeReads();
            }
        }

        void wake() {
            next.wakeupReads();
        }
    }
}
