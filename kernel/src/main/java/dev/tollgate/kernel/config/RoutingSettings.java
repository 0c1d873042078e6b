package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How a model's requests are routed and where they go when its deployments fail.
 *
 * @param strategy     the routing strategy factory and its configuration; {@code null}: the kernel's
 *                     built-in {@code weighted}
 * @param fallbacks    other models to try, in order, each on the failure classes it names
 * @param cooldownWait how long a request waits for a deployment whose circuit is open when nothing
 *                     else can serve it (0: fail at once)
 * @param onDisconnect what happens to the upstream call when the client hangs up
 */
public record RoutingSettings(ComponentSettings strategy, List<Fallback> fallbacks, Duration cooldownWait, Disconnect onDisconnect) {

    public static final RoutingSettings DEFAULTS = new RoutingSettings(null, List.of(), Duration.ofSeconds(5), Disconnect.CANCEL);

    /** Failure classes a fallback may name. */
    public static final Set<String> CLASSES = Set.of("rate_limited", "server_error", "timeout", "context_window", "capability",
            "content_policy", "client_error");

    /** When {@code on} is not given: the provider's trouble and a prompt too long, never the client's fault. */
    public static final Set<String> DEFAULT_ON = Set.of("rate_limited", "server_error", "timeout", "context_window", "capability");

    /** {@code cancel}: close the upstream call at once; {@code drain}: read it to its end so its usage is exact. */
    public enum Disconnect { CANCEL, DRAIN }

    /** Another model to try, and on which failure classes. */
    public record Fallback(String model, Set<String> on) {
        public Fallback {
            requireNonNull(model, "model is null");
            on = Set.copyOf(on);
        }
    }

    public RoutingSettings {
        fallbacks = List.copyOf(fallbacks);
        requireNonNull(cooldownWait, "cooldownWait is null");
        requireNonNull(onDisconnect, "onDisconnect is null");
    }
}
