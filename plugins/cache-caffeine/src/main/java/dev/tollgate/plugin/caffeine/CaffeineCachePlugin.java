package dev.tollgate.plugin.caffeine;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.cache.CacheBackendFactory;
import dev.tollgate.spi.config.PluginConfig;
import java.util.List;

/** Contributes the {@code caffeine} cache tier: answers kept in this gateway's memory. */
public final class CaffeineCachePlugin implements TollgatePlugin {

    public CaffeineCachePlugin() {}

    @Override
    public List<CacheBackendFactory> cacheBackends() {
        return List.of(new CacheBackendFactory() {
            @Override
            public String name() {
                return "caffeine";
            }

            @Override
            public CacheBackend create(PluginConfig config, PluginContext context) {
                return new CaffeineCacheBackend(CaffeineCacheConfig.from(config), context.ticker(), context.metrics());
            }
        });
    }
}
