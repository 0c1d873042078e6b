package dev.tollgate.plugin.redis;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** Backends made the way the kernel makes them: through the plugin's factory. */
final class TestBackends {

    private TestBackends() {}

    static RedisStateBackend open(String uri) {
        return open(uri, Map.of());
    }

    static RedisStateBackend open(String uri, Map<String, Object> more) {
        Map<String, Object> values = new LinkedHashMap<>(more);
        values.put("uri", uri);
        PluginConfig config = PluginConfig.of("state.config", values, new RedisStateBackendFactory().secretKeys());
        return (RedisStateBackend) new RedisStatePlugin().stateBackends().get(0).create(config, new PluginContext() {});
    }
}
