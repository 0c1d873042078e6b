package dev.tollgate.kernel.io;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The byte buffers of the server's and the upstream client's connections. Undertow's own pool keeps
 * its per-thread caches in one synchronized map keyed by thread, so both I/O threads take the same
 * lock twice per buffer (about 3 % of the gateway's CPU at full load, in a profile); this pool keeps
 * them in a plain {@link ThreadLocal}. Platform threads (the I/O threads) cache up to
 * {@link #THREAD_CACHE} buffers each; virtual threads use only the shared queue, so that a short-lived
 * thread takes no buffers with it. At most {@code maxIdle} buffers wait in the shared queue; beyond
 * that a returned buffer is left to the garbage collector, so a burst (thousands of streams) does not
 * keep its buffers for ever.
 */
public final class IoBufferPool implements ByteBufferPool {

    static final int THREAD_CACHE = 4;

    /** The idle buffers the gateway's pools keep: 4,096 of 16 KiB, 64 MiB at most. */
    public static final int MAX_IDLE = 4096;

    private final boolean direct;
    private final int bufferSize;
    private final int maxIdle;
    private final ConcurrentLinkedQueue<ByteBuffer> shared = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sharedCount = new AtomicInteger();
    private final ThreadLocal<ByteBuffer[]> caches = ThreadLocal.withInitial(() -> new ByteBuffer[THREAD_CACHE]);
    private volatile boolean closed;
    private volatile IoBufferPool heap;

    public IoBufferPool(boolean direct, int bufferSize, int maxIdle) {
        if (bufferSize <= 0 || maxIdle < 0) {
            throw new IllegalArgumentException("bufferSize must be > 0 and maxIdle >= 0");
        }
        this.direct = direct;
        this.bufferSize = bufferSize;
        this.maxIdle = maxIdle;
    }

    @Override
    public PooledByteBuffer allocate() {
        if (closed) {
            throw new IllegalStateException("the buffer pool is closed");
        }
        ByteBuffer b = null;
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            ByteBuffer[] cache = caches.get();
            for (int i = cache.length - 1; i >= 0; i--) {
                if (cache[i] != null) {
                    b = cache[i];
                    cache[i] = null;
                    break;
                }
            }
        }
        if (b == null) {
            b = shared.poll();
            if (b != null) {
                sharedCount.decrementAndGet();
            } else {
                b = direct ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize);
            }
        }
        b.clear();
        return new Pooled(this, b);
    }

    private void free(ByteBuffer b) {
        if (closed) {
            return;
        }
        if (!Thread.currentThread().isVirtual()) {
            ByteBuffer[] cache = caches.get();
            for (int i = 0; i < cache.length; i++) {
                if (cache[i] == null) {
                    cache[i] = b;
                    return;
                }
            }
        }
        if (sharedCount.incrementAndGet() <= maxIdle) {
            shared.offer(b);
        } else {
            sharedCount.decrementAndGet();
        }
    }

    /** Buffers waiting in the shared queue (not counting the threads' caches). */
    int idleShared() {
        return sharedCount.get();
    }

    @Override
    public ByteBufferPool getArrayBackedPool() {
        if (!direct) {
            return this;
        }
        IoBufferPool h = heap;
        if (h == null) {
            synchronized (this) {
                h = heap;
                if (h == null) {
                    heap = h = new IoBufferPool(false, bufferSize, maxIdle);
                }
            }
        }
        return h;
    }

    @Override
    public void close() {
        closed = true;
        shared.clear();
        sharedCount.set(0);
        IoBufferPool h = heap;
        if (h != null) {
            h.close();
        }
    }

    @Override
    public int getBufferSize() {
        return bufferSize;
    }

    @Override
    public boolean isDirect() {
        return direct;
    }

    /** One lease of a buffer: closing it twice returns the buffer once. */
    private static final class Pooled implements PooledByteBuffer {
        private static final VarHandle OPEN;

        static {
            try {
                OPEN = MethodHandles.lookup().findVarHandle(Pooled.class, "open", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final IoBufferPool pool;
        private ByteBuffer buffer;
        @SuppressWarnings("unused") // through OPEN
        private volatile boolean open = true;

        Pooled(IoBufferPool pool, ByteBuffer buffer) {
            this.pool = pool;
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getBuffer() {
            ByteBuffer b = buffer;
            if (b == null) {
                throw new IllegalStateException("the buffer was returned to its pool");
            }
            return b;
        }

        @Override
        public void close() {
            if (OPEN.compareAndSet(this, true, false)) {
                ByteBuffer b = buffer;
                buffer = null;
                pool.free(b);
            }
        }

        @Override
        public boolean isOpen() {
            return open;
        }
    }
}
