package dev.tollgate.spi.provider;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Embedding vectors in input order, in the canonical model; the kernel renders them (floats or base64, as the client asked). */
public final class EmbeddingsResponse {

    private final String model;
    private final List<float[]> vectors;
    private final Usage usage;

    private EmbeddingsResponse(String model, List<float[]> vectors, Usage usage) {
        this.model = requireNonNull(model, "model is null");
        List<float[]> copy = new ArrayList<>(vectors.size());
        for (float[] v : vectors) {
            copy.add(v.clone());
        }
        this.vectors = List.copyOf(copy);
        this.usage = usage;
    }

    /** @param usage the usage, or {@code null} when the provider reported none */
    public static EmbeddingsResponse of(String model, List<float[]> vectors, Usage usage) {
        return new EmbeddingsResponse(model, vectors, usage);
    }

    public String model() {
        return model;
    }

    public int size() {
        return vectors.size();
    }

    /** A copy of vector {@code index}. */
    public float[] vector(int index) {
        return vectors.get(index).clone();
    }

    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }
}
