package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.catalog.ModelInfo;
import java.util.Optional;

/**
 * The attempt about to be made, for {@link RequestPolicy#beforeAttempt}.
 *
 * @param index         0 for the first attempt, 1 for the first retry or fallback…
 * @param deploymentId  the deployment chosen, for example {@code gpt-4o#0}
 * @param provider      its provider factory name
 * @param model         the client-facing model the deployment serves (differs from the
 *                      request's model on a fallback to another model)
 * @param upstreamModel the model name at the provider
 * @param modelInfo     what the catalog knows of it, or {@code null}
 */
public record AttemptInfo(int index, String deploymentId, String provider, String model, String upstreamModel, ModelInfo modelInfo) {

    public AttemptInfo {
        requireNonNull(deploymentId, "deploymentId is null");
        requireNonNull(provider, "provider is null");
        requireNonNull(model, "model is null");
        requireNonNull(upstreamModel, "upstreamModel is null");
    }

    public Optional<ModelInfo> info() {
        return Optional.ofNullable(modelInfo);
    }
}
