package dev.tollgate.spi.store;

import java.util.Objects;

/**
 * The limits of one level (a key, a team, a model). An absent ({@code null}) value is no limit at
 * that level; {@link #NONE} has none at all. Built with {@link #builder()}, so that new kinds of
 * limit can be added without breaking the plugins that build or read limits.
 */
public final class Limits {

    /** No limit at all. */
    public static final Limits NONE = builder().build();

    private final Long rpm;
    private final Long tpm;
    private final Integer maxParallel;
    private final Budget budget;

    private Limits(Builder b) {
        if (b.rpm != null && b.rpm < 0) {
            throw new IllegalArgumentException("rpm must not be negative: " + b.rpm);
        }
        if (b.tpm != null && b.tpm < 0) {
            throw new IllegalArgumentException("tpm must not be negative: " + b.tpm);
        }
        if (b.maxParallel != null && b.maxParallel < 0) {
            throw new IllegalArgumentException("max_parallel must not be negative: " + b.maxParallel);
        }
        this.rpm = b.rpm;
        this.tpm = b.tpm;
        this.maxParallel = b.maxParallel;
        this.budget = b.budget;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().rpm(rpm).tpm(tpm).maxParallel(maxParallel).budget(budget);
    }

    /** Requests per minute, or {@code null}. */
    public Long rpm() {
        return rpm;
    }

    /** Tokens per minute (estimated at admission, corrected at settlement), or {@code null}. */
    public Long tpm() {
        return tpm;
    }

    /** Requests in flight at once, or {@code null}. */
    public Integer maxParallel() {
        return maxParallel;
    }

    /** The spending cap, or {@code null}. */
    public Budget budget() {
        return budget;
    }

    /** Whether no limit is set at all. */
    public boolean isNone() {
        return rpm == null && tpm == null && maxParallel == null && budget == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Limits l && Objects.equals(rpm, l.rpm) && Objects.equals(tpm, l.tpm)
                && Objects.equals(maxParallel, l.maxParallel) && Objects.equals(budget, l.budget);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rpm, tpm, maxParallel, budget);
    }

    @Override
    public String toString() {
        return "Limits[rpm=" + rpm + ", tpm=" + tpm + ", maxParallel=" + maxParallel + ", budget=" + budget + "]";
    }

    /** Builds {@link Limits}; every value defaults to none. */
    public static final class Builder {
        private Long rpm;
        private Long tpm;
        private Integer maxParallel;
        private Budget budget;

        private Builder() {}

        public Builder rpm(Long rpm) {
            this.rpm = rpm;
            return this;
        }

        public Builder tpm(Long tpm) {
            this.tpm = tpm;
            return this;
        }

        public Builder maxParallel(Integer maxParallel) {
            this.maxParallel = maxParallel;
            return this;
        }

        public Builder budget(Budget budget) {
            this.budget = budget;
            return this;
        }

        /** @throws IllegalArgumentException when a value is negative */
        public Limits build() {
            return new Limits(this);
        }
    }
}
