package dev.tollgate.plugin.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class AnthropicPluginTest {

    @Test
    void discoveredByServiceLoaderWithOneAnthropicFactoryWhoseKeyIsSecret() {
        List<TollgatePlugin> plugins = ServiceLoader.load(TollgatePlugin.class).stream().map(ServiceLoader.Provider::get).toList();

        assertThat(plugins).hasExactlyElementsOfTypes(AnthropicPlugin.class);
        List<ProviderFactory> providers = plugins.get(0).providers();
        assertThat(providers).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("anthropic");
            assertThat(f.secretKeys()).containsExactly("api_key");
        });
    }

    @Test
    void passesAnthropicMessagesThroughAndTranslatesTheRest() {
        AnthropicAdapter adapter = TestSupport.adapter();

        assertThat(adapter.nativeFormats()).containsExactly(WireFormat.ANTHROPIC_MESSAGES);
        assertThat(adapter).isNotInstanceOf(SupportsEmbeddings.class);
    }
}
