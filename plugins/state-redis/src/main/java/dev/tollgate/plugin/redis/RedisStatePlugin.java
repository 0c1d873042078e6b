package dev.tollgate.plugin.redis;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.state.StateBackendFactory;
import java.util.List;

/** Contributes the {@code redis} state backend: counters, reservations and notifications shared by many gateways. */
public final class RedisStatePlugin implements TollgatePlugin {

    public RedisStatePlugin() {}

    @Override
    public List<StateBackendFactory> stateBackends() {
        return List.of(new RedisStateBackendFactory());
    }
}
