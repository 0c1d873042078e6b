package dev.tollgate.spi.state;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One part of a {@link Reservation}: hold {@code amount} against the counter {@code key}, whose
 * used plus reserved total must stay at or below {@code limit}. {@code window} is the counter's
 * time to live when this reservation starts it: a minute for a per-minute limit, a day for a daily
 * budget (the key then usually names the minute or the day). A final class rather than a record,
 * so that fields can be added without breaking the plugins that construct it.
 */
public final class Hold {

    private final String key;
    private final long amount;
    private final long limit;
    private final Duration window;

    private Hold(String key, long amount, long limit, Duration window) {
        this.key = requireNonNull(key, "key is null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key is empty");
        }
        if (amount < 0) {
            throw new IllegalArgumentException("amount must not be negative: " + amount);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        this.amount = amount;
        this.limit = limit;
        this.window = requireNonNull(window, "window is null");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
    }

    /**
     * @param key    the counter
     * @param amount what to hold, at least 0 (requests, tokens, micro-dollars)
     * @param limit  the most the counter's used plus reserved total may reach, at least 0
     * @param window the counter's time to live when this hold starts it; positive
     */
    public static Hold of(String key, long amount, long limit, Duration window) {
        return new Hold(key, amount, limit, window);
    }

    public String key() {
        return key;
    }

    public long amount() {
        return amount;
    }

    public long limit() {
        return limit;
    }

    public Duration window() {
        return window;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hold h && h.key.equals(key) && h.amount == amount && h.limit == limit && h.window.equals(window);
    }

    @Override
    public int hashCode() {
        return ((key.hashCode() * 31 + Long.hashCode(amount)) * 31 + Long.hashCode(limit)) * 31 + window.hashCode();
    }

    @Override
    public String toString() {
        return "Hold[" + key + ", " + amount + " of " + limit + ", window " + window + "]";
    }
}
