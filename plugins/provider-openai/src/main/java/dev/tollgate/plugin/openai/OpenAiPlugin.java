package dev.tollgate.plugin.openai;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.List;

/** Contributes the {@code openai} provider: OpenAI and every upstream that speaks its HTTP API. */
public final class OpenAiPlugin implements TollgatePlugin {

    public OpenAiPlugin() {}

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new OpenAiProviderFactory());
    }
}
