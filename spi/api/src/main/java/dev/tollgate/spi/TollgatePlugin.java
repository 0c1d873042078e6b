package dev.tollgate.spi;

import dev.tollgate.spi.cache.CacheBackendFactory;
import dev.tollgate.spi.policy.RequestPolicyFactory;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.routing.RoutingStrategyFactory;
import dev.tollgate.spi.sink.LogSinkFactory;
import dev.tollgate.spi.state.StateBackendFactory;
import dev.tollgate.spi.store.GovernanceStoreFactory;
import java.util.List;

/**
 * The single extension point of a Tollgate plugin.
 *
 * <p>Override only the kinds the plugin contributes; every method defaults to an empty list so
 * that new kinds can be added to this interface without breaking existing plugins. The kernel
 * discovers implementations with {@link java.util.ServiceLoader} inside the plugin's own class
 * loader, so a plugin lists its class in {@code META-INF/services/dev.tollgate.spi.TollgatePlugin}
 * and needs a public no-argument constructor.
 *
 * <p>Factories are looked up by {@link ComponentFactory#name()} from the configuration. Names are
 * global per kind: two plugins that both contribute a provider called {@code openai} fail the start.
 */
public interface TollgatePlugin {

    /** Provider adapters: one per upstream API dialect (OpenAI-compatible, Anthropic, Gemini…). */
    default List<ProviderFactory> providers() {
        return List.of();
    }

    /** Strategies that choose a deployment among a model's candidates. */
    default List<RoutingStrategyFactory> routingStrategies() {
        return List.of();
    }

    /** Response cache tiers. */
    default List<CacheBackendFactory> cacheBackends() {
        return List.of();
    }

    /** Destinations for request log records, fed in batches off the request path. */
    default List<LogSinkFactory> logSinks() {
        return List.of();
    }

    /** Admission and settlement hooks: authentication, rate limits, budgets, guards. */
    default List<RequestPolicyFactory> requestPolicies() {
        return List.of();
    }

    /** Shared-state backends (counters, token buckets, reservations, notifications). */
    default List<StateBackendFactory> stateBackends() {
        return List.of();
    }

    /** Governance stores (keys, teams and the spend ledger), chosen with {@code governance.store.backend}. */
    default List<GovernanceStoreFactory> governanceStores() {
        return List.of();
    }
}
