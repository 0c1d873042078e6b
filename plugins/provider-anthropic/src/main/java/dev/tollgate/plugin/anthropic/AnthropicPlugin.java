package dev.tollgate.plugin.anthropic;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.List;

/** Contributes the {@code anthropic} provider: Anthropic's Messages API. */
public final class AnthropicPlugin implements TollgatePlugin {

    public AnthropicPlugin() {}

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new AnthropicProviderFactory());
    }
}
