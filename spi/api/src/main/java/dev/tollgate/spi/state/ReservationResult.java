package dev.tollgate.spi.state;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link StateBackend#reserve}: granted, or denied at the first hold that did not
 * fit. The accessors of a denial fail on a granted result. Backends construct it with
 * {@link #granted()} and {@link #denied}.
 */
public final class ReservationResult {

    private static final ReservationResult GRANTED = new ReservationResult(-1, null, 0, 0, null);

    private final int holdIndex;
    private final String key;
    private final long current;
    private final long limit;
    private final Duration resetsIn;

    private ReservationResult(int holdIndex, String key, long current, long limit, Duration resetsIn) {
        this.holdIndex = holdIndex;
        this.key = key;
        this.current = current;
        this.limit = limit;
        this.resetsIn = resetsIn;
    }

    public static ReservationResult granted() {
        return GRANTED;
    }

    /**
     * @param holdIndex the index in {@link Reservation#holds()} of the first hold that did not fit
     * @param key       that hold's key
     * @param current   the key's used plus reserved total when the reservation was refused
     * @param limit     that hold's limit
     * @param resetsIn  how long until the key's window ends and its used total returns to 0, or
     *                  {@code null} when the key has no live window (nothing used yet)
     */
    public static ReservationResult denied(int holdIndex, String key, long current, long limit, Duration resetsIn) {
        if (holdIndex < 0) {
            throw new IllegalArgumentException("holdIndex must not be negative");
        }
        requireNonNull(key, "key is null");
        if (resetsIn != null && resetsIn.isNegative()) {
            throw new IllegalArgumentException("resetsIn must not be negative");
        }
        return new ReservationResult(holdIndex, key, current, limit, resetsIn);
    }

    public boolean isGranted() {
        return key == null;
    }

    /** The index of the hold that did not fit. */
    public int holdIndex() {
        denial();
        return holdIndex;
    }

    /** The key of the hold that did not fit. */
    public String key() {
        denial();
        return key;
    }

    /** The key's used plus reserved total, without the refused amount. */
    public long current() {
        denial();
        return current;
    }

    /** The limit of the hold that did not fit. */
    public long limit() {
        denial();
        return limit;
    }

    /** How long until the key's window ends (a client's {@code Retry-After}), when it has one. */
    public Optional<Duration> resetsIn() {
        denial();
        return Optional.ofNullable(resetsIn);
    }

    private void denial() {
        if (key == null) {
            throw new IllegalStateException("the reservation was granted");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReservationResult r && r.holdIndex == holdIndex && Objects.equals(r.key, key)
                && r.current == current && r.limit == limit && Objects.equals(r.resetsIn, resetsIn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(holdIndex, key, current, limit, resetsIn);
    }

    @Override
    public String toString() {
        return isGranted() ? "ReservationResult[granted]" : "ReservationResult[denied at hold " + holdIndex + " (" + key + "): "
                + current + " of " + limit + (resetsIn == null ? "" : ", resets in " + resetsIn) + "]";
    }
}
