package dev.tollgate.plugin.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.chat.Usage;
import java.io.IOException;

/**
 * Anthropic's usage counters as a stream reports them: {@code message_start} first, then each counter
 * a {@code message_delta} carries replaces the one before (they are running totals). The canonical
 * {@link Usage} counts cache reads and writes inside the input, where Anthropic reports them beside it.
 */
final class UsageCounts {

    private long input = -1;
    private long output = -1;
    private long cacheRead = -1;
    private long cacheWrite = -1;

    /** Reads a {@code usage} value, the parser on its first token. */
    void read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_NUMBER_INT) {
                p.skipChildren();
                continue;
            }
            long n = Math.max(0, p.getLongValue());
            switch (name) {
                case "input_tokens" -> input = n;
                case "output_tokens" -> output = n;
                case "cache_read_input_tokens" -> cacheRead = n;
                case "cache_creation_input_tokens" -> cacheWrite = n;
                default -> { }
            }
        }
    }

    boolean any() {
        return input >= 0 || output >= 0 || cacheRead >= 0 || cacheWrite >= 0;
    }

    /** The usage so far, or {@code null} when none was reported. */
    Usage toUsage() {
        if (!any()) {
            return null;
        }
        long read = Math.max(0, cacheRead);
        long write = Math.max(0, cacheWrite);
        return Usage.builder()
                .inputTokens(Math.max(0, input) + read + write)
                .cachedInputTokens(read)
                .cacheWriteTokens(write)
                .outputTokens(Math.max(0, output))
                .build();
    }
}
