package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.chat.WireFormat;
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

    /**
     * How a request in {@code format} can reach this model's deployments and its fallbacks': whether
     * some attempt may translate it, and whether some may pass it through untouched.
     */
    public Reach reach(WireFormat format) {
        boolean translates = false;
        boolean passes = false;
        for (Deployment d : deployments) {
            if (d.speaks(format)) {
                passes = true;
            } else {
                translates = true;
            }
        }
        for (ModelRouting.Fallback f : routing.fallbacks()) {
            for (Deployment d : f.model().deployments()) {
                if (d.speaks(format)) {
                    passes = true;
                } else {
                    translates = true;
                }
            }
        }
        return translates && passes ? Reach.MIXED : passes ? Reach.PASS_THROUGH : Reach.TRANSLATED;
    }

    /** See {@link #reach}. */
    public enum Reach {
        /** Every attempt translates. */
        TRANSLATED,
        /** Every attempt passes the body through. */
        PASS_THROUGH,
        /** Some deployments translate, some pass through: it is decided per attempt. */
        MIXED
    }
}
