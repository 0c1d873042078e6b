package dev.tollgate.spi.provider;

/**
 * Token usage of one call, as the provider reported it.
 *
 * @param promptTokens     input tokens, including cached ones
 * @param completionTokens output tokens, including reasoning ones
 * @param cachedTokens     input tokens read from the provider's prompt cache
 * @param cacheWriteTokens input tokens written to the provider's prompt cache
 * @param reasoningTokens  output tokens spent on reasoning
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens, long reasoningTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedTokens < 0 || cacheWriteTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    public static Usage of(long promptTokens, long completionTokens) {
        return new Usage(promptTokens, completionTokens, 0, 0, 0);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
