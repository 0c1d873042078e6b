package dev.tollgate.spi.catalog;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.chat.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * A model's prices in US dollars per million tokens, exact decimals. Cached input, cache writes
 * and reasoning output fall back to the plain input or output price when not given.
 */
public final class Prices {

    private final BigDecimal input;
    private final BigDecimal output;
    private final BigDecimal cachedInput;
    private final BigDecimal cacheWrite;
    private final BigDecimal reasoning;

    private Prices(Builder b) {
        this.input = nonNegative(b.input, "input");
        this.output = nonNegative(b.output, "output");
        this.cachedInput = b.cachedInput == null ? null : nonNegative(b.cachedInput, "cachedInput");
        this.cacheWrite = b.cacheWrite == null ? null : nonNegative(b.cacheWrite, "cacheWrite");
        this.reasoning = b.reasoning == null ? null : nonNegative(b.reasoning, "reasoning");
    }

    /** Prices per million input and output tokens, in dollars. */
    public static Builder builder(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
        return new Builder(inputPerMillion, outputPerMillion);
    }

    public BigDecimal inputPerMillion() {
        return input;
    }

    public BigDecimal outputPerMillion() {
        return output;
    }

    /** The price of input tokens read from the prompt cache, when it differs from {@link #inputPerMillion()}. */
    public Optional<BigDecimal> cachedInputPerMillion() {
        return Optional.ofNullable(cachedInput);
    }

    /** The price of input tokens written to the prompt cache, when it differs from {@link #inputPerMillion()}. */
    public Optional<BigDecimal> cacheWritePerMillion() {
        return Optional.ofNullable(cacheWrite);
    }

    /** The price of reasoning output tokens, when it differs from {@link #outputPerMillion()}. */
    public Optional<BigDecimal> reasoningPerMillion() {
        return Optional.ofNullable(reasoning);
    }

    /**
     * The exact cost of {@code usage} in dollars: uncached input, cached input, cache writes,
     * plain output and reasoning output, each at its price.
     */
    public BigDecimal cost(Usage usage) {
        long cached = Math.min(usage.cachedInputTokens(), usage.inputTokens());
        long written = Math.min(usage.cacheWriteTokens(), usage.inputTokens() - cached);
        long plainInput = usage.inputTokens() - cached - written;
        long reasoningTokens = Math.min(usage.reasoningTokens(), usage.outputTokens());
        long plainOutput = usage.outputTokens() - reasoningTokens;
        BigDecimal perMillion = input.multiply(BigDecimal.valueOf(plainInput))
                .add((cachedInput == null ? input : cachedInput).multiply(BigDecimal.valueOf(cached)))
                .add((cacheWrite == null ? input : cacheWrite).multiply(BigDecimal.valueOf(written)))
                .add(output.multiply(BigDecimal.valueOf(plainOutput)))
                .add((reasoning == null ? output : reasoning).multiply(BigDecimal.valueOf(reasoningTokens)));
        return perMillion.movePointLeft(6);
    }

    /** {@link #cost} in micro-dollars, rounded half up once: the unit budgets and logs count in. */
    public long costMicros(Usage usage) {
        return cost(usage).movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static BigDecimal nonNegative(BigDecimal v, String name) {
        requireNonNull(v, name + " is null");
        if (v.signum() < 0) {
            throw new IllegalArgumentException(name + " price must not be negative");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prices p && p.input.compareTo(input) == 0 && p.output.compareTo(output) == 0
                && same(p.cachedInput, cachedInput) && same(p.cacheWrite, cacheWrite) && same(p.reasoning, reasoning);
    }

    private static boolean same(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    @Override
    public int hashCode() {
        return input.stripTrailingZeros().hashCode() * 31 + output.stripTrailingZeros().hashCode();
    }

    @Override
    public String toString() {
        return "Prices[input=" + input + ", output=" + output + (cachedInput == null ? "" : ", cachedInput=" + cachedInput)
                + (cacheWrite == null ? "" : ", cacheWrite=" + cacheWrite) + (reasoning == null ? "" : ", reasoning=" + reasoning)
                + " $/Mtok]";
    }

    /** Builds {@link Prices}. */
    public static final class Builder {
        private final BigDecimal input;
        private final BigDecimal output;
        private BigDecimal cachedInput;
        private BigDecimal cacheWrite;
        private BigDecimal reasoning;

        private Builder(BigDecimal input, BigDecimal output) {
            this.input = input;
            this.output = output;
        }

        public Builder cachedInputPerMillion(BigDecimal v) {
            this.cachedInput = v;
            return this;
        }

        public Builder cacheWritePerMillion(BigDecimal v) {
            this.cacheWrite = v;
            return this;
        }

        public Builder reasoningPerMillion(BigDecimal v) {
            this.reasoning = v;
            return this;
        }

        public Prices build() {
            return new Prices(this);
        }
    }
}
