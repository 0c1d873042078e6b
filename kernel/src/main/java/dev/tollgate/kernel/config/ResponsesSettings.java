package dev.tollgate.kernel.config;

import java.time.Duration;

/**
 * The {@code responses} section: stored OpenAI Responses ({@code docs/responses.md}, "State").
 *
 * @param store        whether responses are stored at all ({@code responses.store: on | off})
 * @param visibility   who may read a stored response: the key that created it, or its whole team
 * @param retention    how long a response is kept after it was created, or {@code null}: until deleted
 * @param maxChain     the most responses one conversation of {@code previous_response_id}s may hold
 * @param maxTurnBytes the most bytes one stored turn (input and output items) and one response object may have
 * @param purgeInterval how often expired responses are deleted
 */
public record ResponsesSettings(boolean store, Visibility visibility, Duration retention, int maxChain, long maxTurnBytes,
        Duration purgeInterval) {

    public enum Visibility {
        KEY,
        TEAM
    }

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final ResponsesSettings DEFAULTS = new ResponsesSettings(true, Visibility.KEY, DEFAULT_RETENTION, 100, 1L << 20,
            Duration.ofMinutes(10));
    public static final ResponsesSettings OFF = new ResponsesSettings(false, Visibility.KEY, DEFAULT_RETENTION, 100, 1L << 20,
            Duration.ofMinutes(10));

    public ResponsesSettings {
        java.util.Objects.requireNonNull(visibility, "visibility is null");
        java.util.Objects.requireNonNull(purgeInterval, "purgeInterval is null");
        if (maxChain < 1) {
            throw new IllegalArgumentException("maxChain must be at least 1");
        }
        if (maxTurnBytes < 1) {
            throw new IllegalArgumentException("maxTurnBytes must be at least 1");
        }
    }
}
