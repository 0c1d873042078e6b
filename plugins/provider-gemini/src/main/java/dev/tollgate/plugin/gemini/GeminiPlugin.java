package dev.tollgate.plugin.gemini;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.List;

/** Contributes the {@code gemini} provider: Google's Gemini API. */
public final class GeminiPlugin implements TollgatePlugin {

    public GeminiPlugin() {}

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new GeminiProviderFactory());
    }
}
