package dev.tollgate.kernel.records;

import java.time.Duration;

/** Waits between write attempts; tests substitute one that records the waits and returns at once. */
interface Sleeper {

    /** Waits up to {@code d}; may return early (when the pipeline closes). */
    void sleep(Duration d) throws InterruptedException;
}
