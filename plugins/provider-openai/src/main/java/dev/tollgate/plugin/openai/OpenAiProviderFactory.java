package dev.tollgate.plugin.openai;

import dev.tollgate.formats.PluginWarnings;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.Set;

final class OpenAiProviderFactory implements ProviderFactory {

    static final String NAME = "openai";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> secretKeys() {
        return Set.of(OpenAiConfig.API_KEY, OpenAiConfig.API_KEYS);
    }

    @Override
    public ProviderAdapter create(PluginConfig config, PluginContext context) {
        return new OpenAiAdapter(OpenAiConfig.from(config), context.clock(), context.ticker(), PluginWarnings.of(context));
    }
}
