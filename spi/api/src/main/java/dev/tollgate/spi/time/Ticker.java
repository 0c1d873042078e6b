package dev.tollgate.spi.time;

/**
 * A source of monotonic nanoseconds, for durations and deadlines. The kernel and plugins read time
 * only through a {@code Ticker} (and a {@link java.time.Clock} for wall time), so that tests drive
 * time by hand: backoff, cooldowns, calendar resets and averages are tested without sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
