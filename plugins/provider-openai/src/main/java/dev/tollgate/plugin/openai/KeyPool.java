package dev.tollgate.plugin.openai;

import dev.tollgate.spi.time.Ticker;
import java.time.Duration;
import java.util.List;

/**
 * The API keys of one deployment ({@code api_keys}), used round-robin. A key the upstream answers
 * 429 is sidelined for its {@code Retry-After} (at most {@link #MAX_RATE_LIMIT_COOLDOWN}, and
 * {@link #DEFAULT_RATE_LIMIT_COOLDOWN} without one); a key answered 401, 402 or 403 (revoked, out
 * of credit, forbidden) for {@link #AUTH_COOLDOWN}. Sidelined keys are skipped; when every key is
 * sidelined the one whose cooldown ends first is used anyway, so the pool never fails a request by
 * itself: the upstream's own answer reaches the kernel, which retries or falls back. A success
 * clears the key's cooldown. Time is the plugin's ticker. Never shows a key.
 */
final class KeyPool {

    static final Duration DEFAULT_RATE_LIMIT_COOLDOWN = Duration.ofSeconds(10);
    static final Duration MAX_RATE_LIMIT_COOLDOWN = Duration.ofSeconds(60);
    static final Duration AUTH_COOLDOWN = Duration.ofMinutes(5);

    private final List<String> keys;
    private final Ticker ticker;
    /** Per key, the ticker time its cooldown ends; {@code Long.MIN_VALUE} when it is not sidelined. */
    private final long[] sidelinedUntil;
    private int next;

    KeyPool(List<String> keys, Ticker ticker) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key pool needs a key");
        }
        this.keys = List.copyOf(keys);
        this.ticker = ticker;
        this.sidelinedUntil = new long[keys.size()];
        java.util.Arrays.fill(sidelinedUntil, Long.MIN_VALUE);
    }

    int size() {
        return keys.size();
    }

    String key(int index) {
        return keys.get(index);
    }

    /** The index of the key for the next request. */
    synchronized int pick() {
        long now = ticker.nanoTime();
        int n = keys.size();
        for (int i = 0; i < n; i++) {
            int k = (next + i) % n;
            if (available(k, now)) {
                next = (k + 1) % n;
                return k;
            }
        }
        int soonest = 0;
        for (int k = 1; k < n; k++) {
            if (sidelinedUntil[k] - sidelinedUntil[soonest] < 0) {
                soonest = k;
            }
        }
        return soonest;
    }

    /** What the upstream answered a request made with key {@code index}; {@code retryAfter} may be null. */
    synchronized void answered(int index, int status, Duration retryAfter) {
        Duration cooldown = switch (status) {
            case 401, 402, 403 -> AUTH_COOLDOWN;
            case 429 -> retryAfter == null ? DEFAULT_RATE_LIMIT_COOLDOWN
                    : retryAfter.compareTo(MAX_RATE_LIMIT_COOLDOWN) > 0 ? MAX_RATE_LIMIT_COOLDOWN : retryAfter;
            default -> null;
        };
        if (cooldown != null) {
            sidelinedUntil[index] = ticker.nanoTime() + cooldown.toNanos();
        } else if (status >= 200 && status < 300) {
            sidelinedUntil[index] = Long.MIN_VALUE;
        }
    }

    synchronized boolean sidelined(int index) {
        return !available(index, ticker.nanoTime());
    }

    private boolean available(int k, long now) {
        return sidelinedUntil[k] == Long.MIN_VALUE || now - sidelinedUntil[k] >= 0;
    }

    @Override
    public String toString() {
        return "KeyPool[" + keys.size() + " keys]";
    }
}
