package dev.tollgate.spi.chat;

/**
 * Token usage of one call as the provider reported it. Where a provider reports no usage the
 * kernel carries its absence ({@code Optional.empty()}), never a zero.
 *
 * <p>{@link #inputTokens()} counts every input token, including those read from or written to
 * the provider's prompt cache; {@link #outputTokens()} counts every output token, including
 * reasoning ones. So {@code cachedInputTokens + cacheWriteTokens <= inputTokens} and
 * {@code reasoningTokens <= outputTokens}; translators convert providers that count otherwise
 * (Anthropic reports cache reads and writes beside {@code input_tokens}).
 */
public final class Usage {

    private final long inputTokens;
    private final long outputTokens;
    private final long cachedInputTokens;
    private final long cacheWriteTokens;
    private final long reasoningTokens;

    private Usage(Builder b) {
        if (b.inputTokens < 0 || b.outputTokens < 0 || b.cachedInputTokens < 0 || b.cacheWriteTokens < 0
                || b.reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        this.inputTokens = b.inputTokens;
        this.outputTokens = b.outputTokens;
        this.cachedInputTokens = b.cachedInputTokens;
        this.cacheWriteTokens = b.cacheWriteTokens;
        this.reasoningTokens = b.reasoningTokens;
    }

    public static Usage of(long inputTokens, long outputTokens) {
        return builder().inputTokens(inputTokens).outputTokens(outputTokens).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().inputTokens(inputTokens).outputTokens(outputTokens).cachedInputTokens(cachedInputTokens)
                .cacheWriteTokens(cacheWriteTokens).reasoningTokens(reasoningTokens);
    }

    public long inputTokens() {
        return inputTokens;
    }

    public long outputTokens() {
        return outputTokens;
    }

    /** Input tokens read from the provider's prompt cache (part of {@link #inputTokens()}). */
    public long cachedInputTokens() {
        return cachedInputTokens;
    }

    /** Input tokens written to the provider's prompt cache (part of {@link #inputTokens()}). */
    public long cacheWriteTokens() {
        return cacheWriteTokens;
    }

    /** Output tokens spent on reasoning (part of {@link #outputTokens()}). */
    public long reasoningTokens() {
        return reasoningTokens;
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Usage u && u.inputTokens == inputTokens && u.outputTokens == outputTokens
                && u.cachedInputTokens == cachedInputTokens && u.cacheWriteTokens == cacheWriteTokens
                && u.reasoningTokens == reasoningTokens;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(inputTokens) * 31 + Long.hashCode(outputTokens) * 17 + Long.hashCode(cachedInputTokens) * 7
                + Long.hashCode(cacheWriteTokens) * 3 + Long.hashCode(reasoningTokens);
    }

    @Override
    public String toString() {
        return "Usage[input=" + inputTokens + ", output=" + outputTokens + ", cachedInput=" + cachedInputTokens
                + ", cacheWrite=" + cacheWriteTokens + ", reasoning=" + reasoningTokens + "]";
    }

    /** Builds {@link Usage}; every count defaults to 0. */
    public static final class Builder {
        private long inputTokens;
        private long outputTokens;
        private long cachedInputTokens;
        private long cacheWriteTokens;
        private long reasoningTokens;

        private Builder() {}

        public Builder inputTokens(long n) {
            this.inputTokens = n;
            return this;
        }

        public Builder outputTokens(long n) {
            this.outputTokens = n;
            return this;
        }

        public Builder cachedInputTokens(long n) {
            this.cachedInputTokens = n;
            return this;
        }

        public Builder cacheWriteTokens(long n) {
            this.cacheWriteTokens = n;
            return this;
        }

        public Builder reasoningTokens(long n) {
            this.reasoningTokens = n;
            return this;
        }

        public Usage build() {
            return new Usage(this);
        }
    }
}
