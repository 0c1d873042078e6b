package dev.tollgate.plugin.bedrock;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.List;

/** Contributes the {@code bedrock} provider: Amazon Bedrock's Converse API. */
public final class BedrockPlugin implements TollgatePlugin {

    public BedrockPlugin() {}

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new BedrockProviderFactory());
    }
}
