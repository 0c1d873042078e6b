package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.config.RoutingSettings;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How one model's requests are routed: its strategy, its fallback chain, how long a request waits
 * for a cooling deployment, and what a client's hang-up does to the upstream call. The fallbacks
 * name other models, so they are linked once every model exists.
 */
public final class ModelRouting {

    public static final ModelRouting DEFAULT = new ModelRouting(WeightedRandom.INSTANCE, Duration.ofSeconds(5),
            RoutingSettings.Disconnect.CANCEL);

    /** Another model to try, on the failure classes it names. */
    record Fallback(Model model, Set<FailureClass> on) {}

    private final RoutingStrategy strategy;
    private final Duration cooldownWait;
    private final RoutingSettings.Disconnect onDisconnect;
    private volatile List<Fallback> fallbacks = List.of();

    public ModelRouting(RoutingStrategy strategy, Duration cooldownWait, RoutingSettings.Disconnect onDisconnect) {
        this.strategy = requireNonNull(strategy, "strategy is null");
        this.cooldownWait = requireNonNull(cooldownWait, "cooldownWait is null");
        this.onDisconnect = requireNonNull(onDisconnect, "onDisconnect is null");
    }

    /**
     * Links the fallback chain: {@code models.get(i)} is tried on the classes named in
     * {@code on.get(i)} (their config names). Only the routed model's own chain is followed, never a
     * fallback's chain, so chains cannot loop.
     */
    public void link(List<Model> models, List<Set<String>> on) {
        List<Fallback> out = new java.util.ArrayList<>(models.size());
        for (int i = 0; i < models.size(); i++) {
            java.util.EnumSet<FailureClass> classes = java.util.EnumSet.noneOf(FailureClass.class);
            for (String name : on.get(i)) {
                for (FailureClass c : FailureClass.values()) {
                    if (c.configName().equals(name)) {
                        classes.add(c);
                    }
                }
            }
            out.add(new Fallback(models.get(i), classes));
        }
        fallbacks = List.copyOf(out);
    }

    RoutingStrategy strategy() {
        return strategy;
    }

    Duration cooldownWait() {
        return cooldownWait;
    }

    public RoutingSettings.Disconnect onDisconnect() {
        return onDisconnect;
    }

    List<Fallback> fallbacks() {
        return fallbacks;
    }
}
