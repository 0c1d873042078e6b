package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A model as clients name it, with its deployments in configured order and how it is routed. */
public record Model(String name, List<Deployment> deployments, ModelRouting routing) {

    public Model {
        requireNonNull(name, "name is null");
        deployments = List.copyOf(deployments);
        requireNonNull(routing, "routing is null");
    }

    public Model(String name, List<Deployment> deployments) {
        this(name, deployments, ModelRouting.DEFAULT);
    }

    public boolean supportsEmbeddings() {
        return deployments.stream().anyMatch(d -> d.embeddings() != null);
    }
}
