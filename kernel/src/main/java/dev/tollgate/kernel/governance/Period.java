package dev.tollgate.kernel.governance;

/** The period a budget resets after, calendar-aligned in the configured time zone. */
public enum Period {
    NONE, DAILY, WEEKLY, MONTHLY
}
