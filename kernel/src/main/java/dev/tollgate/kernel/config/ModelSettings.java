package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A model as clients name it, the deployments that serve it, in order, and how it is routed. */
public record ModelSettings(String name, List<DeploymentSettings> deployments, RoutingSettings routing) {

    public ModelSettings {
        requireNonNull(name, "name is null");
        deployments = List.copyOf(requireNonNull(deployments, "deployments is null"));
        if (deployments.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " has no deployments");
        }
        requireNonNull(routing, "routing is null");
    }

    public ModelSettings(String name, List<DeploymentSettings> deployments) {
        this(name, deployments, RoutingSettings.DEFAULTS);
    }
}
