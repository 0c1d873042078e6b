package dev.tollgate.plugin.probe;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.List;

/** Test-only plugin: contributes the {@code jackson-probe} provider. */
public final class ProbePlugin implements TollgatePlugin {

    public ProbePlugin() {}

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProbeProviderFactory());
    }
}
