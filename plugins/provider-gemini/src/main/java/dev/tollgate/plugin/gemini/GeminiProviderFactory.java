package dev.tollgate.plugin.gemini;

import dev.tollgate.formats.PluginWarnings;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.Set;

/** Creates one {@link GeminiAdapter} per deployment. */
public final class GeminiProviderFactory implements ProviderFactory {

    static final String NAME = "gemini";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> secretKeys() {
        return Set.of(GeminiConfig.API_KEY);
    }

    @Override
    public ProviderAdapter create(PluginConfig config, PluginContext context) {
        return new GeminiAdapter(GeminiConfig.from(config), context.clock(), PluginWarnings.of(context));
    }
}
