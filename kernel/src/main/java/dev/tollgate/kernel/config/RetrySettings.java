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

    public static final RetrySettings DEFAULTS = new RetrySettings(2, Duration.ofMillis(200), Duration.ofSeconds(5),
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
