package dev.tollgate.kernel.pipeline;

/**
 * Where a request is in its life. It moves forward only, and only on the request's I/O thread,
 * except that an attempt that failed before anything was committed goes back to {@link #ROUTING}
 * for a retry or a fallback.
 * A request settles and is logged once it reaches {@link #DONE}, and only then: when the client
 * side has finished (the answer written, or the client gone) and no attempt or policy hook is
 * still running.
 */
public enum Phase {
    /** Request policies decide (authentication, limits, budgets). */
    ADMITTING,
    /** The response cache is probed. */
    CACHE,
    /** A deployment is chosen and the policies' per-attempt hooks run; a retry's backoff or a cooldown is waited out. */
    ROUTING,
    /** An attempt runs; nothing has been sent to the client yet, so a failure may still be retried. */
    ATTEMPTING,
    /** The answer is committed to the client and being relayed. */
    STREAMING,
    /** The answer is complete (or the client gone); the response is being flushed and hooks finish. */
    DRAINING,
    /** Everything ended; settled and logged. */
    DONE
}
