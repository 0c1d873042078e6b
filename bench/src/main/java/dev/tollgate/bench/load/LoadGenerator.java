package dev.tollgate.bench.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A small, cheap HTTP/1.1 load generator over NIO: keep-alive connections, fixed request bytes, one selector per
 * reading thread, no allocation per request in the steady state.
 *
 * <ul>
 *   <li>{@link LoadMode#OPEN_LOOP}: the calling thread schedules intended send times at a constant rate and writes
 *       each request on an idle pooled connection; when none is idle the request waits in a queue and its latency
 *       still counts from its intended time (no coordinated omission).</li>
 *   <li>{@link LoadMode#CLOSED_LOOP}: each connection sends its next request as soon as the previous answer ends.</li>
 *   <li>{@link LoadMode#HOLD}: opens N streaming requests at a ramp rate, one per connection, and keeps them until
 *       the server ends them.</li>
 * </ul>
 */
public final class LoadGenerator {

    private LoadGenerator() {}

    public static LoadResult run(String target, LoadSpec spec) throws IOException, InterruptedException {
        return switch (spec.mode()) {
            case OPEN_LOOP -> new OpenLoop(target, spec).run();
            case CLOSED_LOOP -> new ClosedLoop(target, spec).run();
            case HOLD -> new Hold(target, spec).run();
        };
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    static final class Conn {
        final Loop loop;
        final ResponseParser parser;
        final ByteBuffer req;
        SocketChannel ch;
        SelectionKey key;
        volatile boolean busy;
        volatile long intended;
        long sentNs;
        long firstEventNs;
        long lastEventNs;
        boolean dead;
        boolean finished;

        Conn(Loop loop, RequestTemplate t) {
            this.loop = loop;
            this.parser = new ResponseParser(t.stream());
            this.req = t.newBuffer();
        }
    }

    interface Handler {
        void onConnectable(Loop l, Conn c) throws IOException;

        void onResponse(Loop l, Conn c, long now);

        void onFailure(Loop l, Conn c, Exception e);

        default void tick(Loop l) {}
    }

    static final class Loop implements Runnable {
        final Selector selector;
        final Stats stats = new Stats();
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final Thread thread;
        private final byte[] arr = new byte[64 * 1024];
        private final ByteBuffer rb = ByteBuffer.wrap(arr);
        private Handler handler;
        volatile boolean stop;
        volatile long selectTimeoutMs = 100;
        volatile Throwable crashed;

        Loop(String name) throws IOException {
            this.selector = Selector.open();
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        void start(Handler h) {
            this.handler = h;
            thread.start();
        }

        void execute(Runnable r) {
            tasks.add(r);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    selector.select(this::onKey, selectTimeoutMs);
                    Runnable r;
                    while ((r = tasks.poll()) != null) r.run();
                    handler.tick(this);
                }
            } catch (Throwable t) {
                crashed = t;
            }
        }

        private void onKey(SelectionKey k) {
            Conn c = (Conn) k.attachment();
            try {
                if (!k.isValid()) return;
                if (k.isConnectable()) {
                    handler.onConnectable(this, c);
                    return;
                }
                if (k.isReadable()) read(c);
            } catch (IOException | ResponseParser.ProtocolException | RuntimeException e) {
                handler.onFailure(this, c, e);
            }
        }

        private void read(Conn c) throws IOException, ResponseParser.ProtocolException {
            rb.clear();
            int n = c.ch.read(rb);
            long now = System.nanoTime();
            if (n < 0) {
                c.parser.endOfInput();
                if (c.busy && c.parser.isComplete()) {
                    handler.onResponse(this, c, now);
                    return;
                }
                throw new EOFException("connection closed by the server");
            }
            if (n == 0) return;
            if (!c.busy) throw new ResponseParser.ProtocolException("bytes from the server with no request in flight");
            ResponseParser p = c.parser;
            int used = p.feed(arr, 0, n);
            if (p.eventsInLastFeed() > 0) {
                if (c.firstEventNs == 0) c.firstEventNs = now;
                c.lastEventNs = now;
            }
            if (p.isComplete()) {
                if (used < n) throw new ResponseParser.ProtocolException("bytes after the end of the response");
                handler.onResponse(this, c, now);
            }
        }

        void shutdown() throws InterruptedException {
            stop = true;
            selector.wakeup();
            thread.join(5_000);
            for (SelectionKey k : selector.keys()) {
                closeQuietly(k.channel() instanceof SocketChannel sc ? sc : null, false);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    static SocketChannel connectBlocking(InetSocketAddress a) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(a, 5_000);
            ch.configureBlocking(false);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    static void closeQuietly(SocketChannel ch, boolean reset) {
        if (ch == null) return;
        try {
            if (reset && ch.isOpen()) ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Writes the whole buffer to a non-blocking channel; the socket buffer is normally empty, so this is one call. */
    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        long deadline = 0;
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) {
                if (deadline == 0) deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                if (System.nanoTime() > deadline) throw new IOException("request write stalled for 5 s");
                Thread.onSpinWait();
            }
        }
    }

    static void recordResponse(Stats s, Conn c, long now, long origin, int expectedEvents, boolean inWindow) {
        ResponseParser p = c.parser;
        s.bodyBytes += p.bodyBytes();
        int st = p.status();
        if (st < 200 || st > 299) {
            s.non2xx++;
            if (s.firstStatusNon2xx == 0) s.firstStatusNon2xx = st;
            return;
        }
        if (expectedEvents > 0 && p.events() < expectedEvents) {
            s.badStreams++;
            if (s.firstError == null) {
                s.firstError = "stream with " + p.events() + " events, expected " + expectedEvents;
            }
            return;
        }
        s.ok++;
        if (inWindow) s.okInWindow++;
        Stats.record(s.latency, now - origin);
        if (p.events() > 0) {
            Stats.record(s.firstEvent, c.firstEventNs - origin);
            Stats.record(s.lastEvent, c.lastEventNs - origin);
        }
    }

    private static List<Loop> loops(int n, String prefix) throws IOException {
        List<Loop> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(new Loop(prefix + "-" + i));
        return l;
    }

    private static Stats merge(List<Loop> loops) {
        Stats s = new Stats();
        for (Loop l : loops) {
            if (l.crashed != null) s.error("generator thread crashed: " + l.crashed);
            s.merge(l.stats);
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------ open loop

    private static final class OpenLoop implements Handler {
        private final String target;
        private final LoadSpec spec;
        private final Object lock = new Object();
        private final ArrayDeque<Conn> idle = new ArrayDeque<>();
        private final LongRing pending = new LongRing(1024);
        private final AtomicLong finished = new AtomicLong();
        private final AtomicLong senderErrors = new AtomicLong();
        private final AtomicLong seq = new AtomicLong();
        private long maxQueued;
        private volatile String senderError;

        OpenLoop(String target, LoadSpec spec) {
            this.target = target;
            this.spec = spec;
        }

        LoadResult run() throws IOException, InterruptedException {
            List<Loop> loops = loops(spec.loops(), "load-open");
            List<Conn> all = new ArrayList<>();
            try {
                for (int i = 0; i < spec.connections(); i++) {
                    Loop l = loops.get(i % loops.size());
                    Conn c = new Conn(l, spec.request());
                    c.ch = connectBlocking(spec.address());
                    c.key = c.ch.register(l.selector, SelectionKey.OP_READ, c);
                    all.add(c);
                    idle.add(c);
                }
                for (Loop l : loops) l.start(this);

                Histogram lag = Stats.newHistogram();
                double periodNs = 1e9 / spec.rate();
                long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
                long end = start + spec.duration().toNanos();
                // spin at most a quarter of the interval: at high rates spinning would occupy a core for nothing
                long spin = Math.min(spec.spinNanos(), (long) (periodNs / 4));
                long dispatched = 0;
                for (long i = 0; i < spec.maxRequests(); i++) {
                    long t = start + (long) (i * periodNs);
                    if (t >= end) break;
                    long now;
                    while ((now = System.nanoTime()) < t) {
                        long d = t - now;
                        if (d > spin) LockSupport.parkNanos(d - spin);
                        else Thread.onSpinWait();
                    }
                    dispatched++;
                    Conn c;
                    synchronized (lock) {
                        c = pending.isEmpty() ? idle.pollFirst() : null;
                        if (c == null) {
                            pending.add(t);
                            if (pending.size() > maxQueued) maxQueued = pending.size();
                        }
                    }
                    if (c != null) {
                        Stats.record(lag, System.nanoTime() - t);
                        send(c, t);
                    }
                }
                long drainUntil = Math.max(System.nanoTime(), end) + spec.grace().toNanos();
                while (finished.get() < dispatched && System.nanoTime() < drainUntil) {
                    Thread.sleep(2);
                }
                long unfinished = Math.max(0, dispatched - finished.get());
                for (Loop l : loops) l.shutdown();
                Stats s = merge(loops);
                s.errors += senderErrors.get();
                if (s.firstError == null) s.firstError = senderError;
                return new LoadResult(LoadMode.OPEN_LOOP, target, end - start, dispatched, s, unfinished, maxQueued,
                        all.size(), 0, 0, lag);
            } finally {
                for (Loop l : loops) {
                    if (!l.stop) l.shutdown();
                }
                for (Conn c : all) closeQuietly(c.ch, false);
            }
        }

        private void send(Conn c, long intended) {
            c.parser.reset();
            c.firstEventNs = 0;
            c.lastEventNs = 0;
            c.intended = intended;
            spec.request().write(c.req, seq.getAndIncrement());
            c.sentNs = System.nanoTime();
            c.busy = true;
            try {
                writeFully(c.ch, c.req);
            } catch (IOException e) {
                // the connection's loop owns recovery; the request counts as failed
                c.busy = false;
                senderErrors.incrementAndGet();
                if (senderError == null) senderError = "write: " + e;
                finished.incrementAndGet();
                c.loop.execute(() -> {
                    if (reconnect(c.loop, c)) release(c);
                });
            }
        }

        private void release(Conn c) {
            long t;
            synchronized (lock) {
                if (pending.isEmpty()) {
                    idle.addLast(c);
                    return;
                }
                t = pending.poll();
            }
            send(c, t);
        }

        private boolean reconnect(Loop l, Conn c) {
            if (c.key != null) c.key.cancel();
            closeQuietly(c.ch, false);
            try {
                c.ch = connectBlocking(spec.address());
                c.key = c.ch.register(l.selector, SelectionKey.OP_READ, c);
                l.stats.reconnects++;
                return true;
            } catch (IOException e) {
                c.dead = true;
                l.stats.error("reconnect: " + e);
                return false;
            }
        }

        @Override
        public void onConnectable(Loop l, Conn c) {
            // open-loop connections are connected before the run
        }

        @Override
        public void onResponse(Loop l, Conn c, long now) {
            c.busy = false;
            recordResponse(l.stats, c, now, c.intended, spec.expectedEvents(), true);
            finished.incrementAndGet();
            if (c.parser.connectionClose() && !reconnect(l, c)) return;
            release(c);
        }

        @Override
        public void onFailure(Loop l, Conn c, Exception e) {
            boolean wasBusy = c.busy;
            c.busy = false;
            if (wasBusy) {
                l.stats.error(e.toString());
                finished.incrementAndGet();
            } else {
                synchronized (lock) {
                    if (!idle.remove(c)) {
                        return; // the sender holds it and will see the failure itself
                    }
                }
            }
            if (reconnect(l, c)) release(c);
        }
    }

    // ---------------------------------------------------------------------------------------------- closed loop

    private static final class ClosedLoop implements Handler {
        private final String target;
        private final LoadSpec spec;
        private final AtomicLong issued = new AtomicLong();
        private final AtomicLong inFlight = new AtomicLong();
        private volatile long end = Long.MAX_VALUE;
        private final AtomicLong seq = new AtomicLong();

        ClosedLoop(String target, LoadSpec spec) {
            this.target = target;
            this.spec = spec;
        }

        LoadResult run() throws IOException, InterruptedException {
            int nLoops = Math.min(spec.loops(), spec.connections());
            List<Loop> loops = loops(nLoops, "load-closed");
            List<Conn> all = new ArrayList<>();
            try {
                for (int i = 0; i < spec.connections(); i++) {
                    Loop l = loops.get(i % loops.size());
                    Conn c = new Conn(l, spec.request());
                    c.ch = connectBlocking(spec.address());
                    c.key = c.ch.register(l.selector, SelectionKey.OP_READ, c);
                    all.add(c);
                }
                long start = System.nanoTime();
                end = start + spec.duration().toNanos();
                for (Loop l : loops) l.start(this);
                for (Conn c : all) {
                    c.loop.execute(() -> next(c.loop, c));
                }
                long now;
                while ((now = System.nanoTime()) < end) {
                    LockSupport.parkNanos(Math.min(end - now, 50_000_000L));
                }
                long drainUntil = end + spec.grace().toNanos();
                while (inFlight.get() > 0 && System.nanoTime() < drainUntil) Thread.sleep(2);
                long unfinished = inFlight.get();
                for (Loop l : loops) l.shutdown();
                Stats s = merge(loops);
                return new LoadResult(LoadMode.CLOSED_LOOP, target, end - start, issued.get(), s, unfinished, 0,
                        all.size(), 0, 0, null);
            } finally {
                for (Loop l : loops) {
                    if (!l.stop) l.shutdown();
                }
                for (Conn c : all) closeQuietly(c.ch, false);
            }
        }

        private void next(Loop l, Conn c) {
            if (c.dead || System.nanoTime() >= end || issued.incrementAndGet() > spec.maxRequests()) return;
            c.parser.reset();
            c.firstEventNs = 0;
            c.lastEventNs = 0;
            spec.request().write(c.req, seq.getAndIncrement());
            inFlight.incrementAndGet();
            c.busy = true;
            c.sentNs = System.nanoTime();
            try {
                writeFully(c.ch, c.req);
            } catch (IOException e) {
                onFailure(l, c, e);
            }
        }

        private boolean reconnect(Loop l, Conn c) {
            if (c.key != null) c.key.cancel();
            closeQuietly(c.ch, false);
            try {
                c.ch = connectBlocking(spec.address());
                c.key = c.ch.register(l.selector, SelectionKey.OP_READ, c);
                l.stats.reconnects++;
                return true;
            } catch (IOException e) {
                c.dead = true;
                l.stats.error("reconnect: " + e);
                return false;
            }
        }

        @Override
        public void onConnectable(Loop l, Conn c) {
            // connected before the run
        }

        @Override
        public void onResponse(Loop l, Conn c, long now) {
            c.busy = false;
            inFlight.decrementAndGet();
            recordResponse(l.stats, c, now, c.sentNs, spec.expectedEvents(), now <= end);
            if (c.parser.connectionClose() && !reconnect(l, c)) return;
            next(l, c);
        }

        @Override
        public void onFailure(Loop l, Conn c, Exception e) {
            if (c.busy) {
                c.busy = false;
                inFlight.decrementAndGet();
                l.stats.error(e.toString());
            }
            if (reconnect(l, c)) next(l, c);
        }
    }

    // --------------------------------------------------------------------------------------------- hold streams

    private static final class Hold implements Handler {
        private final String target;
        private final LoadSpec spec;
        private final List<Conn> all = new ArrayList<>();
        private long start;
        private int opened;
        private int open;
        private int peakOpen;
        private int held;
        private int done; // finished one way or another
        private volatile boolean allDone;

        Hold(String target, LoadSpec spec) {
            this.target = target;
            this.spec = spec;
        }

        LoadResult run() throws IOException, InterruptedException {
            Loop loop = new Loop("load-hold");
            int n = spec.connections();
            double ramp = spec.rampPerSecond() > 0 ? spec.rampPerSecond() : n;
            long rampNs = (long) (n / ramp * 1e9);
            try {
                loop.selectTimeoutMs = 1;
                start = System.nanoTime();
                loop.start(this);
                long deadline = start + rampNs + spec.duration().toNanos() + spec.grace().toNanos();
                while (!allDone && System.nanoTime() < deadline) Thread.sleep(10);
                loop.stop = true;
                loop.selector.wakeup();
                loop.thread.join(5_000);
                long unfinished = (long) n - done;
                Stats s = loop.stats;
                if (unfinished > 0) {
                    int noAnswer = 0, stalled = 0;
                    for (Conn c : all) {
                        if (c.finished) continue;
                        if (c.parser.headersDone()) stalled++;
                        else noAnswer++;
                    }
                    int notOpened = n - all.size();
                    String detail = "unanswered at the deadline: " + noAnswer + " without response headers, "
                            + stalled + " stalled mid-stream" + (notOpened > 0 ? ", " + notOpened + " never opened" : "");
                    if (s.firstError == null) s.firstError = detail;
                    else s.firstError = s.firstError + "; " + detail;
                }
                if (loop.crashed != null) s.error("generator thread crashed: " + loop.crashed);
                long window = System.nanoTime() - start;
                s.okInWindow = s.ok;
                return new LoadResult(LoadMode.HOLD, target, window, opened, s, unfinished, 0, n, held, peakOpen, null);
            } finally {
                loop.stop = true;
                loop.selector.wakeup();
                loop.thread.join(5_000);
                for (Conn c : all) closeQuietly(c.ch, true);
                try {
                    loop.selector.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        @Override
        public void tick(Loop l) {
            int n = spec.connections();
            if (opened < n) {
                double ramp = spec.rampPerSecond() > 0 ? spec.rampPerSecond() : n;
                long due = Math.min(n, (long) ((System.nanoTime() - start) / 1e9 * ramp) + 1);
                while (opened < due) {
                    openOne(l);
                }
                if (opened >= n) l.selectTimeoutMs = 50;
            }
            if (opened >= n && done >= n) allDone = true;
        }

        private void openOne(Loop l) {
            opened++;
            Conn c = new Conn(l, spec.request());
            all.add(c);
            c.sentNs = System.nanoTime();
            try {
                c.ch = SocketChannel.open();
                c.ch.configureBlocking(false);
                c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (c.ch.connect(spec.address())) {
                    c.key = c.ch.register(l.selector, SelectionKey.OP_READ, c);
                    sendStream(l, c);
                } else {
                    c.key = c.ch.register(l.selector, SelectionKey.OP_CONNECT, c);
                }
            } catch (IOException e) {
                onFailure(l, c, e);
            }
        }

        private void sendStream(Loop l, Conn c) throws IOException {
            c.parser.reset();
            spec.request().write(c.req, opened);
            c.busy = true;
            open++;
            if (open > peakOpen) peakOpen = open;
            writeFully(c.ch, c.req);
        }

        @Override
        public void onConnectable(Loop l, Conn c) throws IOException {
            if (c.ch.finishConnect()) {
                c.key.interestOps(SelectionKey.OP_READ);
                sendStream(l, c);
            }
        }

        @Override
        public void onResponse(Loop l, Conn c, long now) {
            if (c.finished) return;
            c.finished = true;
            c.busy = false;
            open--;
            done++;
            Stats s = l.stats;
            long okBefore = s.ok;
            recordResponse(s, c, now, c.sentNs, spec.expectedEvents(), true);
            if (s.ok > okBefore) held++;
            if (c.key != null) c.key.cancel();
            closeQuietly(c.ch, true); // RST: no TIME_WAIT pile-up across thousands of streams
            c.ch = null;
        }

        @Override
        public void onFailure(Loop l, Conn c, Exception e) {
            if (c.finished) return;
            c.finished = true;
            if (c.busy) open--;
            c.busy = false;
            done++;
            l.stats.error(e instanceof ClosedChannelException ? "channel closed" : e.toString());
            if (c.key != null) c.key.cancel();
            closeQuietly(c.ch, true);
            c.ch = null;
        }
    }

    /** A growable ring of longs (intended send times waiting for a connection). */
    static final class LongRing {
        private long[] a;
        private int head;
        private int size;

        LongRing(int capacity) {
            a = new long[Integer.highestOneBit(Math.max(2, capacity - 1)) << 1];
        }

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void add(long v) {
            if (size == a.length) {
                long[] b = new long[a.length << 1];
                for (int i = 0; i < size; i++) b[i] = a[(head + i) & (a.length - 1)];
                a = b;
                head = 0;
            }
            a[(head + size) & (a.length - 1)] = v;
            size++;
        }

        long poll() {
            long v = a[head];
            head = (head + 1) & (a.length - 1);
            size--;
            return v;
        }
    }
}
