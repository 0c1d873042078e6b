package dev.tollgate.spi.routing;

/** A deployment's circuit state, as the kernel's breaker sees it. */
public enum Health {
    /** Serving normally. */
    HEALTHY,
    /** Cooling down after failures; one probe request at a time may go through. */
    HALF_OPEN,
    /** Cooling down; no traffic until the cooldown ends. */
    OPEN
}
