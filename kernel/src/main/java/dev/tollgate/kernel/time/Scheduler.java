package dev.tollgate.kernel.time;

import org.xnio.XnioIoThread;

/**
 * Runs kernel and plugin timers on a request's I/O thread. Production uses {@link XnioScheduler};
 * tests substitute a manual scheduler driven together with a manual
 * {@link dev.tollgate.spi.time.Ticker}, so timeouts and pacing are tested without sleeping.
 */
public interface Scheduler {

    /** A scheduled task that may still be cancelled. */
    interface Cancellable {
        void cancel();
    }

    /** Runs {@code task} on {@code thread} after {@code delayNanos} (soon, in order, when 0); for pacing. */
    Cancellable schedule(XnioIoThread thread, long delayNanos, Runnable task);

    /**
     * Runs {@code task} on {@code thread} once {@code delayNanos} passed, up to one sweep tick late
     * and never early; for deadlines, which are armed on nearly every request and rarely fire, so
     * arming and cancelling must cost almost nothing.
     */
    Cancellable timeout(XnioIoThread thread, long delayNanos, Runnable task);
}
