package dev.tollgate.plugin.mock;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.List;

/** Contributes the {@code mock} provider: a deterministic fake model for demos, tests and benchmarks. */
public final class MockPlugin implements TollgatePlugin {

    public MockPlugin() {}

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new MockProviderFactory());
    }
}
