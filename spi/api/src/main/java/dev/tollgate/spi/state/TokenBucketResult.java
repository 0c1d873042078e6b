package dev.tollgate.spi.state;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The answer of {@link StateBackend#takeTokens}.
 *
 * @param allowed    whether the tokens were taken
 * @param remaining  tokens left after the call
 * @param retryAfter when enough tokens will be there again ({@link Duration#ZERO} when allowed)
 */
public record TokenBucketResult(boolean allowed, long remaining, Duration retryAfter) {

    public TokenBucketResult {
        requireNonNull(retryAfter, "retryAfter is null");
    }
}
