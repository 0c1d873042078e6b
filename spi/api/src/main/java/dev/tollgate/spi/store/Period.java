package dev.tollgate.spi.store;

/** The period a budget resets after, calendar-aligned in the gateway's configured time zone. */
public enum Period {
    /** Never resets. */
    NONE,
    /** From local midnight. */
    DAILY,
    /** From local midnight on Monday. */
    WEEKLY,
    /** From local midnight on the first of the month. */
    MONTHLY
}
