package dev.tollgate.kernel.server;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide cap on bytes held for requests that are still arriving: bodies being read and
 * request heads that came in several pieces. A reservation that would pass the cap fails, and the
 * request gets 503 {@code server_busy} instead of the process running out of heap.
 */
final class RequestMemory {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    RequestMemory(long limit) {
        this.limit = limit;
    }

    boolean tryReserve(long bytes) {
        while (true) {
            long current = used.get();
            if (current + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    Share share() {
        return new Share();
    }

    /** One request's reservation: grows with the bytes it holds and is given back once, whichever path ends it. */
    final class Share implements ExchangeCompletionListener {

        private long held;
        private boolean released;

        synchronized boolean grow(long bytes) {
            if (released || !tryReserve(bytes)) {
                return false;
            }
            held += bytes;
            return true;
        }

        synchronized void release() {
            if (!released) {
                released = true;
                RequestMemory.this.release(held);
                held = 0;
            }
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            release();
            next.proceed();
        }
    }
}
