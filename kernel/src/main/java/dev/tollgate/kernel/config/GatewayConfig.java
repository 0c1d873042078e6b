package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, validated.
 *
 * @param source    the file it came from, or {@code null} when built in code
 * @param server    listener, limits, timeouts
 * @param pluginsDirectory where plugins are installed
 * @param plugins   ids of the plugins to start, in order
 * @param models    models by client-facing name, in file order
 * @param policies  request policies, in order
 * @param modelsFile where the model catalog comes from
 * @param upstream  limits of the outbound client
 * @param admin     the admin API's master key
 * @param governance where keys, teams and spend are kept; how limits and budgets count
 * @param state     the shared-state backend plugin ({@code state.backend}), or {@code null}: in process
 * @param logging   where request records go
 * @param cache     the response cache's tiers and defaults ({@link CacheSettings#NONE}: no cache)
 * @param responses stored OpenAI Responses ({@link ResponsesSettings#DEFAULTS} when absent)
 */
public record GatewayConfig(
        Path source,
        ServerSettings server,
        Path pluginsDirectory,
        List<String> plugins,
        Map<String, ModelSettings> models,
        List<ComponentSettings> policies,
        ModelsFile modelsFile,
        UpstreamSettings upstream,
        AdminSettings admin,
        GovernanceSettings governance,
        ComponentSettings state,
        LoggingSettings logging,
        CacheSettings cache,
        ResponsesSettings responses) {

    public GatewayConfig {
        requireNonNull(server, "server is null");
        requireNonNull(pluginsDirectory, "pluginsDirectory is null");
        plugins = List.copyOf(requireNonNull(plugins, "plugins is null"));
        models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(requireNonNull(models, "models is null")));
        policies = List.copyOf(requireNonNull(policies, "policies is null"));
        requireNonNull(modelsFile, "modelsFile is null");
        requireNonNull(upstream, "upstream is null");
        requireNonNull(admin, "admin is null");
        requireNonNull(governance, "governance is null");
        logging = logging == null ? LoggingSettings.none() : logging;
        cache = cache == null ? CacheSettings.NONE : cache;
        responses = responses == null ? ResponsesSettings.DEFAULTS : responses;
    }

    public GatewayConfig(Path source, ServerSettings server, Path pluginsDirectory, List<String> plugins, Map<String, ModelSettings> models,
            List<ComponentSettings> policies, ModelsFile modelsFile, UpstreamSettings upstream, AdminSettings admin,
            GovernanceSettings governance, ComponentSettings state, LoggingSettings logging, CacheSettings cache) {
        this(source, server, pluginsDirectory, plugins, models, policies, modelsFile, upstream, admin, governance, state, logging, cache,
                null);
    }

    public GatewayConfig(Path source, ServerSettings server, Path pluginsDirectory, List<String> plugins, Map<String, ModelSettings> models,
            List<ComponentSettings> policies, ModelsFile modelsFile, UpstreamSettings upstream, AdminSettings admin,
            GovernanceSettings governance, ComponentSettings state, LoggingSettings logging) {
        this(source, server, pluginsDirectory, plugins, models, policies, modelsFile, upstream, admin, governance, state, logging, null);
    }

    public GatewayConfig withPort(int port) {
        return new GatewayConfig(source, server.withPort(port), pluginsDirectory, plugins, models, policies, modelsFile, upstream, admin,
                governance, state, logging, cache, responses);
    }

    /** The same configuration with the embedded store in {@code dir} (tests give each gateway its own). */
    public GatewayConfig withDataDir(Path dir) {
        return new GatewayConfig(source, server, pluginsDirectory, plugins, models, policies, modelsFile, upstream, admin,
                governance.withDataDir(dir), state, logging, cache, responses);
    }
}
