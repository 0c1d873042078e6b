package dev.tollgate.plugin.redis;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.StateBackendFactory;
import java.util.Set;

/** Binds the {@code redis} configuration and connects; fails at start when Redis cannot be reached. */
final class RedisStateBackendFactory implements StateBackendFactory {

    static final String NAME = "redis";

    @Override
    public String name() {
        return NAME;
    }

    /** The URI may carry a password, so only a reference is accepted for it. */
    @Override
    public Set<String> secretKeys() {
        return Set.of(RedisStateConfig.URI);
    }

    @Override
    public StateBackend create(PluginConfig config, PluginContext context) {
        return RedisStateBackend.connect(RedisStateConfig.from(config), context.logger());
    }
}
