package dev.tollgate.kernel.logging;

import dev.tollgate.spi.time.Ticker;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a few log lines per kind through every interval and counts the rest, so a failure that hits
 * every request (an upstream down, shared state unreachable) logs a handful of lines a second with
 * how many they stood for, instead of one line per request. Kinds beyond {@link #MAX_KINDS} share
 * one slot.
 */
public final class LogLimiter {

    static final int MAX_KINDS = 256;
    private static final String OTHER = "\u0000other";

    private final Ticker ticker;
    private final long intervalNanos;
    private final int perInterval;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    private static final class Slot {
        long windowStart;
        int passed;
        long suppressed;

        Slot(long windowStart) {
            this.windowStart = windowStart;
        }
    }

    /** At most {@code perInterval} lines of one kind per {@code intervalNanos}. */
    public LogLimiter(Ticker ticker, long intervalNanos, int perInterval) {
        this.ticker = ticker;
        this.intervalNanos = intervalNanos;
        this.perInterval = perInterval;
    }

    /**
     * Whether a line of {@code kind} may be logged now: -1 when not (it is counted), otherwise how
     * many lines of that kind were held back since the last one let through.
     */
    public long admit(String kind) {
        long now = ticker.nanoTime();
        String k = slots.size() >= MAX_KINDS && !slots.containsKey(kind) ? OTHER : kind;
        Slot slot = slots.computeIfAbsent(k, x -> new Slot(now));
        synchronized (slot) {
            if (now - slot.windowStart >= intervalNanos) {
                slot.windowStart = now;
                slot.passed = 0;
            }
            if (slot.passed < perInterval) {
                slot.passed++;
                long held = slot.suppressed;
                slot.suppressed = 0;
                return held;
            }
            slot.suppressed++;
            return -1;
        }
    }
}
