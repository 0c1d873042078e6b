package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How often one deployment is tried for one request, and how long to wait in between.
 *
 * @param maxAttempts   attempts on the deployment per request, the first included (1: no retry)
 * @param backoff       the wait before the first retry; it doubles for each further one
 * @param maxBackoff    the wait never grows beyond this
 * @param maxRetryAfter an upstream {@code Retry-After} up to this is waited for exactly; a longer one
 *                      ends the retries on that deployment (the request moves on or fails)
 */
public record RetrySettings(int maxAttempts, Duration backoff, Duration maxBackoff, Duration maxRetryAfter) {

    /**
     * No retry of the same deployment unless configured: the official SDKs already retry 429 and 5xx
     * twice, so a gateway retry by default would multiply upstream calls; siblings and fallbacks are
     * still tried at once.
     */
    public static final RetrySettings DEFAULTS = new RetrySettings(1, Duration.ofMillis(200), Duration.ofSeconds(5),
            Duration.ofSeconds(10));

    public RetrySettings {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        requireNonNull(backoff, "backoff is null");
        requireNonNull(maxBackoff, "maxBackoff is null");
        requireNonNull(maxRetryAfter, "maxRetryAfter is null");
    }
}
