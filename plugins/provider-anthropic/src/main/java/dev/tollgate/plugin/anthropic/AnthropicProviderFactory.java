package dev.tollgate.plugin.anthropic;

import dev.tollgate.formats.PluginWarnings;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.Set;

final class AnthropicProviderFactory implements ProviderFactory {

    static final String NAME = "anthropic";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> secretKeys() {
        return Set.of(AnthropicConfig.API_KEY);
    }

    @Override
    public ProviderAdapter create(PluginConfig config, PluginContext context) {
        return new AnthropicAdapter(AnthropicConfig.from(config), context.clock(), PluginWarnings.of(context));
    }
}
