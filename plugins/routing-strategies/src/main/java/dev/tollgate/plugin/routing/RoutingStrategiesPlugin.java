package dev.tollgate.plugin.routing;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.routing.RoutingStrategy;
import dev.tollgate.spi.routing.RoutingStrategyFactory;
import java.util.List;
import java.util.function.Function;

/**
 * Contributes the routing strategies beyond the kernel's built-in {@code weighted}:
 * {@code round-robin}, {@code least-latency}, {@code least-busy}, {@code lowest-cost} and
 * {@code priority}. One instance per model that names it; each is allocation-free on its hot path.
 */
public final class RoutingStrategiesPlugin implements TollgatePlugin {

    public RoutingStrategiesPlugin() {}

    @Override
    public List<RoutingStrategyFactory> routingStrategies() {
        return List.of(
                factory(RoundRobin.NAME, c -> new RoundRobin()),
                factory(LeastLatency.NAME, c -> new LeastLatency()),
                factory(LeastBusy.NAME, c -> new LeastBusy()),
                factory(LowestCost.NAME, LowestCost::fromConfig),
                factory(Priority.NAME, c -> new Priority()));
    }

    private static RoutingStrategyFactory factory(String name, Function<PluginConfig, RoutingStrategy> create) {
        return new RoutingStrategyFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RoutingStrategy create(PluginConfig config, PluginContext context) {
                RoutingStrategy s = create.apply(config);
                config.requireAllRead();
                return s;
            }
        };
    }
}
