package dev.tollgate.plugin.rediscache;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.cache.CacheBackendFactory;
import dev.tollgate.spi.config.PluginConfig;
import java.util.List;
import java.util.Set;

/** Contributes the {@code redis} cache tier: answers shared by every gateway instance on one Redis. */
public final class RedisCachePlugin implements TollgatePlugin {

    public RedisCachePlugin() {}

    @Override
    public List<CacheBackendFactory> cacheBackends() {
        return List.of(new CacheBackendFactory() {
            @Override
            public String name() {
                return "redis";
            }

            /** The URI may carry a password, so only a reference is accepted for it. */
            @Override
            public Set<String> secretKeys() {
                return Set.of(RedisCacheConfig.URI);
            }

            @Override
            public CacheBackend create(PluginConfig config, PluginContext context) {
                return RedisCacheBackend.start(RedisCacheConfig.from(config), context.ticker(), context.logger(), context.metrics());
            }
        });
    }
}
