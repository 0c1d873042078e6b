package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.cache.CacheBackendFactory;
import dev.tollgate.spi.policy.RequestPolicyFactory;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.routing.RoutingStrategyFactory;
import dev.tollgate.spi.sink.LogSinkFactory;
import dev.tollgate.spi.state.StateBackendFactory;
import dev.tollgate.spi.store.GovernanceStoreFactory;
import java.util.ArrayList;
import java.util.List;

/** One {@link Registry} per kind of component. */
public final class Registries {

    public final Registry<ProviderFactory> providers = new Registry<>("provider");
    public final Registry<RoutingStrategyFactory> routingStrategies = new Registry<>("routing strategy");
    public final Registry<CacheBackendFactory> cacheBackends = new Registry<>("cache backend");
    public final Registry<LogSinkFactory> logSinks = new Registry<>("log sink");
    public final Registry<RequestPolicyFactory> requestPolicies = new Registry<>("request policy");
    public final Registry<StateBackendFactory> stateBackends = new Registry<>("state backend");
    public final Registry<GovernanceStoreFactory> governanceStores = new Registry<>("governance store");

    /**
     * Registers everything {@code plugin} contributes, calling it with the plugin's loader as the
     * context class loader; returns a one-line summary for the start log.
     */
    public String registerAll(String pluginId, ClassLoader loader, TollgatePlugin plugin) {
        List<String> summary = new ArrayList<>();
        ContextClassLoader.run(loader, () -> {
            add(summary, "providers", pluginId, loader, plugin.providers(), providers);
            add(summary, "routing", pluginId, loader, plugin.routingStrategies(), routingStrategies);
            add(summary, "cache", pluginId, loader, plugin.cacheBackends(), cacheBackends);
            add(summary, "sinks", pluginId, loader, plugin.logSinks(), logSinks);
            add(summary, "policies", pluginId, loader, plugin.requestPolicies(), requestPolicies);
            add(summary, "state", pluginId, loader, plugin.stateBackends(), stateBackends);
            add(summary, "stores", pluginId, loader, plugin.governanceStores(), governanceStores);
        });
        return summary.isEmpty() ? "no factories" : String.join(", ", summary);
    }

    private static <F extends dev.tollgate.spi.ComponentFactory<?>> void add(
            List<String> summary, String label, String pluginId, ClassLoader loader, List<F> factories, Registry<F> registry) {
        if (factories == null || factories.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (F f : factories) {
            registry.register(pluginId, loader, f);
            names.add(f.name());
        }
        summary.add(label + " " + names);
    }
}
