package dev.tollgate.kernel.responses;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * The periodic purge of expired responses: every {@code interval} a run of
 * {@link ResponseState#purgeQuietly} on {@code blocking} (a virtual thread: the store blocks), the
 * next one scheduled when it is done, so runs never overlap. The timer is given, so tests drive it
 * on manual time.
 */
public final class ResponsePurge implements AutoCloseable {

    private final ResponseState state;
    private final Duration interval;
    private final BiConsumer<Duration, Runnable> timer;
    private final Executor blocking;
    private volatile boolean closed;

    /** @param timer runs a task once after a delay */
    private ResponsePurge(ResponseState state, Duration interval, BiConsumer<Duration, Runnable> timer, Executor blocking) {
        this.state = requireNonNull(state, "state is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.timer = requireNonNull(timer, "timer is null");
        this.blocking = requireNonNull(blocking, "blocking is null");
    }

    public static ResponsePurge start(ResponseState state, Duration interval, BiConsumer<Duration, Runnable> timer, Executor blocking) {
        ResponsePurge purge = new ResponsePurge(state, interval, timer, blocking);
        purge.next();
        return purge;
    }

    private void next() {
        if (!closed) {
            timer.accept(interval, this::run);
        }
    }

    private void run() {
        if (closed) {
            return;
        }
        try {
            blocking.execute(() -> {
                try {
                    state.purgeQuietly();
                } finally {
                    next();
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
