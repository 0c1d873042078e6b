package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.catalog.CatalogEntry;
import java.time.Duration;
import java.util.Map;

/**
 * One deployment of a model.
 *
 * @param id            {@code <model>#<index>}, unique
 * @param provider      the provider factory name
 * @param upstreamModel the model name at the provider
 * @param weight        routing weight, at least 1
 * @param ttftTimeout   limit to the first streamed event
 * @param streamIdleTimeout limit between two streamed events
 * @param timeout       limit for one whole attempt
 * @param config        the provider's own configuration, references resolved
 * @param configPath    where {@code config} sits in the file, for messages
 * @param modelInfo     the deployment's {@code model_info}, merged over the catalog entry of
 *                      {@code upstreamModel}; {@link CatalogEntry#EMPTY} when not given
 * @param tier          priority tier for the {@code priority} strategy, 0 first
 * @param retry         retries on this deployment
 * @param circuit       its circuit breaker
 */
public record DeploymentSettings(
        String id, String provider, String upstreamModel, int weight, Duration ttftTimeout, Duration streamIdleTimeout, Duration timeout,
        Map<String, Object> config, String configPath, CatalogEntry modelInfo, int tier, RetrySettings retry, CircuitSettings circuit) {

    public DeploymentSettings {
        requireNonNull(id, "id is null");
        requireNonNull(provider, "provider is null");
        requireNonNull(upstreamModel, "upstreamModel is null");
        requireNonNull(ttftTimeout, "ttftTimeout is null");
        requireNonNull(streamIdleTimeout, "streamIdleTimeout is null");
        requireNonNull(timeout, "timeout is null");
        config = Map.copyOf(requireNonNull(config, "config is null"));
        requireNonNull(configPath, "configPath is null");
        requireNonNull(modelInfo, "modelInfo is null");
        requireNonNull(retry, "retry is null");
        requireNonNull(circuit, "circuit is null");
    }

    public DeploymentSettings(String id, String provider, String upstreamModel, int weight, Duration ttftTimeout,
            Duration streamIdleTimeout, Duration timeout, Map<String, Object> config, String configPath, CatalogEntry modelInfo) {
        this(id, provider, upstreamModel, weight, ttftTimeout, streamIdleTimeout, timeout, config, configPath, modelInfo, 0,
                RetrySettings.DEFAULTS, CircuitSettings.DEFAULTS);
    }
}
