package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A model as clients name it, with its deployments in configured order. */
public record Model(String name, List<Deployment> deployments) {

    public Model {
        requireNonNull(name, "name is null");
        deployments = List.copyOf(deployments);
    }

    public boolean supportsEmbeddings() {
        return deployments.stream().anyMatch(d -> d.embeddings() != null);
    }
}
