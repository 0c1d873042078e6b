package com.example.quill;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;
import java.util.List;
import java.util.Set;

/** The plugin: found through META-INF/services, it contributes the {@code quill} provider. */
public final class QuillPlugin implements TollgatePlugin {

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProviderFactory() {
            public String name() { return "quill"; }
            public Set<String> secretKeys() { return Set.of("api_key"); } // must be a ${env:..} or ${file:..} reference
            public ProviderAdapter create(PluginConfig config, PluginContext context) {
                String base = config.string("api_base", "https://api.quill.example");
                String key = config.string("api_key");
                config.requireAllRead(); // a misspelt key is a clear error at start
                return new QuillAdapter(base, key, context);
            }
        });
    }
}
