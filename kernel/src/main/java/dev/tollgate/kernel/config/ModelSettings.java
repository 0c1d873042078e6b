package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A model as clients name it, the deployments that serve it, in order, how it is routed, and how it
 * uses the response cache ({@link CacheSettings.ModelCacheSettings#INHERIT}: as the top-level defaults say).
 */
public record ModelSettings(String name, List<DeploymentSettings> deployments, RoutingSettings routing,
        CacheSettings.ModelCacheSettings cache) {

    public ModelSettings {
        requireNonNull(name, "name is null");
        deployments = List.copyOf(requireNonNull(deployments, "deployments is null"));
        if (deployments.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " has no deployments");
        }
        requireNonNull(routing, "routing is null");
        cache = cache == null ? CacheSettings.ModelCacheSettings.INHERIT : cache;
    }

    public ModelSettings(String name, List<DeploymentSettings> deployments, RoutingSettings routing) {
        this(name, deployments, routing, null);
    }

    public ModelSettings(String name, List<DeploymentSettings> deployments) {
        this(name, deployments, RoutingSettings.DEFAULTS);
    }
}
