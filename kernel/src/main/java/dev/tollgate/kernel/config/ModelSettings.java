package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A model as clients name it, and the deployments that serve it, in order. */
public record ModelSettings(String name, List<DeploymentSettings> deployments) {

    public ModelSettings {
        requireNonNull(name, "name is null");
        deployments = List.copyOf(requireNonNull(deployments, "deployments is null"));
        if (deployments.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " has no deployments");
        }
    }
}
