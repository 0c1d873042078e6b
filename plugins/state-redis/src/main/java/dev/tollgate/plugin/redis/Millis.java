package dev.tollgate.plugin.redis;

import java.time.Duration;

/** Durations as Redis takes them: whole milliseconds, rounded up, at least 1. */
final class Millis {

    private Millis() {}

    static long ceil(Duration d) {
        long ms;
        try {
            ms = d.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
        if (d.minusMillis(ms).isPositive()) {
            ms++;
        }
        return Math.min(Math.max(ms, 1), Long.MAX_VALUE / 4);
    }
}
