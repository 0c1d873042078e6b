package dev.tollgate.spi.catalog;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the catalog knows of one model: prices, limits and capabilities. Any of them may be
 * unknown; an unpriced model is served and its cost recorded as unknown, never as zero.
 */
public final class ModelInfo {

    private final String name;
    private final Prices prices;
    private final long contextWindow;
    private final long maxOutputTokens;
    private final Set<Capability> capabilities;

    private ModelInfo(Builder b) {
        this.name = requireNonNull(b.name, "name is null");
        this.prices = b.prices;
        if (b.contextWindow < 0 || b.maxOutputTokens < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
        this.contextWindow = b.contextWindow;
        this.maxOutputTokens = b.maxOutputTokens;
        this.capabilities = b.capabilities.isEmpty() ? Set.of() : Set.copyOf(b.capabilities);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name).prices(prices).contextWindow(contextWindow).maxOutputTokens(maxOutputTokens);
        b.capabilities.addAll(capabilities);
        return b;
    }

    /** The model's name at its provider. */
    public String name() {
        return name;
    }

    public Optional<Prices> prices() {
        return Optional.ofNullable(prices);
    }

    /** Tokens of input plus output the model accepts, when known. */
    public OptionalLong contextWindow() {
        return contextWindow == 0 ? OptionalLong.empty() : OptionalLong.of(contextWindow);
    }

    /** The most output tokens one call may produce, when known. */
    public OptionalLong maxOutputTokens() {
        return maxOutputTokens == 0 ? OptionalLong.empty() : OptionalLong.of(maxOutputTokens);
    }

    public Set<Capability> capabilities() {
        return capabilities;
    }

    public boolean has(Capability c) {
        return capabilities.contains(c);
    }

    @Override
    public String toString() {
        return "ModelInfo[" + name + ", " + (prices == null ? "unpriced" : prices) + ", context=" + contextWindow
                + ", maxOutput=" + maxOutputTokens + ", " + capabilities + "]";
    }

    /** Builds {@link ModelInfo}. */
    public static final class Builder {
        private final String name;
        private Prices prices;
        private long contextWindow;
        private long maxOutputTokens;
        private final Set<Capability> capabilities = EnumSet.noneOf(Capability.class);

        private Builder(String name) {
            this.name = name;
        }

        public Builder prices(Prices p) {
            this.prices = p;
            return this;
        }

        /** 0 means unknown. */
        public Builder contextWindow(long tokens) {
            this.contextWindow = tokens;
            return this;
        }

        /** 0 means unknown. */
        public Builder maxOutputTokens(long tokens) {
            this.maxOutputTokens = tokens;
            return this;
        }

        public Builder capability(Capability c) {
            capabilities.add(requireNonNull(c, "capability is null"));
            return this;
        }

        public Builder capabilities(Set<Capability> cs) {
            capabilities.clear();
            capabilities.addAll(cs);
            return this;
        }

        public ModelInfo build() {
            return new ModelInfo(this);
        }
    }
}
