package dev.tollgate.kernel.governance;

/**
 * The limits of one level (a key, a team, a model). A {@code null} field is no limit at that
 * level; {@link #NONE} has none at all.
 *
 * @param rpm         requests per minute
 * @param tpm         tokens per minute (estimated at admission, corrected at settlement)
 * @param maxParallel requests in flight at once
 * @param budget      spending cap, or {@code null}
 */
public record Limits(Long rpm, Long tpm, Integer maxParallel, Budget budget) {
    public static final Limits NONE = new Limits(null, null, null, null);

    public Limits {
        if (rpm != null && rpm < 0) {
            throw new IllegalArgumentException("rpm must not be negative: " + rpm);
        }
        if (tpm != null && tpm < 0) {
            throw new IllegalArgumentException("tpm must not be negative: " + tpm);
        }
        if (maxParallel != null && maxParallel < 0) {
            throw new IllegalArgumentException("max_parallel must not be negative: " + maxParallel);
        }
    }

    public boolean isNone() {
        return rpm == null && tpm == null && maxParallel == null && budget == null;
    }
}
