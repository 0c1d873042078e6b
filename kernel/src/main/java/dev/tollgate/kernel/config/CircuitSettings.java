package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A deployment's circuit breaker.
 *
 * @param failures    this many failures within {@code window} open the circuit (0: never on failures)
 * @param window      the span those failures must fall in
 * @param cooldown    how long an opened circuit stays open before one probe may go through
 * @param maxCooldown the longest an upstream {@code Retry-After} on a 429 keeps the circuit open
 */
public record CircuitSettings(int failures, Duration window, Duration cooldown, Duration maxCooldown) {

    public static final CircuitSettings DEFAULTS = new CircuitSettings(5, Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofMinutes(5));

    /**
     * The default of a model with one deployment and no fallback: its circuit never opens (a zero
     * {@code maxCooldown}, which configuration cannot set). There is nowhere else to send the
     * request, so the client should see the provider's own answer, its 429 and {@code Retry-After}
     * included, rather than the gateway's 503.
     */
    public static final CircuitSettings NO_ALTERNATIVE = new CircuitSettings(0, DEFAULTS.window(), DEFAULTS.cooldown(),
            Duration.ZERO);

    public CircuitSettings {
        if (failures < 0) {
            throw new IllegalArgumentException("failures must not be negative");
        }
        requireNonNull(window, "window is null");
        requireNonNull(cooldown, "cooldown is null");
        requireNonNull(maxCooldown, "maxCooldown is null");
    }
}
