package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class OpenAiPluginTest {

    @Test
    void discoveredByServiceLoaderWithOneOpenAiFactory() {
        List<TollgatePlugin> plugins = ServiceLoader.load(TollgatePlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();

        assertThat(plugins).hasExactlyElementsOfTypes(OpenAiPlugin.class);
        List<ProviderFactory> providers = plugins.get(0).providers();
        assertThat(providers).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("openai");
            assertThat(f.secretKeys()).containsExactlyInAnyOrder("api_key", "api_keys");
        });
        assertThat(providers.get(0).create(TestSupport.config(Map.of()), new dev.tollgate.spi.testkit.FakePluginContext()))
                .isInstanceOf(SupportsEmbeddings.class);
    }

    @Test
    void passesOpenAiChatAndEmbeddingsThroughAndTranslatesTheRest() {
        assertThat(TestSupport.adapter(Map.of("api_base", "http://localhost:8000/v1")).nativeFormats())
                .containsExactlyInAnyOrder(WireFormat.OPENAI_CHAT, WireFormat.OPENAI_EMBEDDINGS);
        assertThat(TestSupport.adapter().nativeFormats()).as("OpenAI itself serves Responses too")
                .containsExactlyInAnyOrder(WireFormat.OPENAI_CHAT, WireFormat.OPENAI_EMBEDDINGS, WireFormat.OPENAI_RESPONSES);
    }
}
