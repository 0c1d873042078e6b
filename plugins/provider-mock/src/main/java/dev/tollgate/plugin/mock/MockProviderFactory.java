package dev.tollgate.plugin.mock;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;

/** Creates {@link MockAdapter}s; see {@link MockSettings} for the configuration keys. */
public final class MockProviderFactory implements ProviderFactory {

    public static final String NAME = "mock";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderAdapter create(PluginConfig config, PluginContext context) {
        return new MockAdapter(MockSettings.from(config), context.clock());
    }
}
