package dev.tollgate.kernel.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Counts requests in flight and, once closed, refuses new ones and lets shutdown wait for the rest. */
public final class ShutdownGate {

    private final AtomicLong active = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private volatile boolean closed;

    /** Enters a request; false when the gate is closed. */
    boolean enter() {
        active.incrementAndGet();
        if (closed) {
            leave();
            return false;
        }
        return true;
    }

    void leave() {
        if (active.decrementAndGet() == 0 && closed) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    public long active() {
        return active.get();
    }

    public void close() {
        closed = true;
    }

    /** Waits until no request is in flight; false when {@code millis} passed first. */
    public boolean awaitIdle(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (active.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
