package dev.tollgate.plugin.probe;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;

/** The {@code jackson-probe} provider; it takes no configuration keys. */
public final class ProbeProviderFactory implements ProviderFactory {

    public static final String NAME = "jackson-probe";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderAdapter create(PluginConfig config, PluginContext context) {
        config.requireAllRead();
        return new ProbeAdapter();
    }
}
