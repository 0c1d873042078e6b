package dev.tollgate.plugin.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockConfigTest {

    private static final String PATH = "models.demo.deployments[0].config";

    private static MockSettings bind(Map<String, ?> values) {
        return MockSettings.from(PluginConfig.of(PATH, values));
    }

    @Test
    void pluginIsFoundByServiceLoaderAndContributesTheMockProvider() {
        List<TollgatePlugin> plugins = ServiceLoader.load(TollgatePlugin.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();

        assertThat(plugins).hasExactlyElementsOfTypes(MockPlugin.class);
        assertThat(plugins.get(0).providers()).extracting(ProviderFactory::name).containsExactly("mock");
    }

    @Test
    void emptyConfigGivesTheDocumentedDefaults() {
        MockSettings s = bind(Map.of());

        assertThat(s).isEqualTo(new MockSettings(Duration.ZERO, 0, 16, Optional.empty(), 0, ErrorKind.SERVER, 42, -1, 8));
        assertThat(s.tokenIntervalNanos()).isZero();
    }

    @Test
    void everyKeyIsMappedIncludingStringValuesFromEnvironmentReferences() {
        MockSettings s = bind(Map.of(
                "ttft", "250ms",
                "tokens_per_second", "40",
                "error_rate", 0.25,
                "error_kind", "rate_limit",
                "seed", "7",
                "fail_after_tokens", 3,
                "embedding_dimensions", "64",
                "reply", "  Hello   from\tthe mock  "));

        assertThat(s).isEqualTo(new MockSettings(Duration.ofMillis(250), 40, 16,
                Optional.of(List.of("Hello", "from", "the", "mock")), 0.25, ErrorKind.RATE_LIMIT, 7, 3, 64));
        assertThat(s.tokenIntervalNanos()).isEqualTo(25_000_000L);
    }

    @Test
    void responseTokensIsMapped() {
        assertThat(bind(Map.of("response_tokens", 5)).responseTokens()).isEqualTo(5);
    }

    @Test
    void unknownKeyFailsTheStartNamingTheKeyAndTheAllowedOnes() {
        assertThatThrownBy(() -> bind(Map.of("ttft", "1s", "tokens_per_sec", 10)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".tokens_per_sec")
                .hasMessageContaining("tokens_per_second")
                .hasMessageContaining("error_kind");
    }

    @Test
    void unknownErrorKindListsTheAllowedKinds() {
        assertThatThrownBy(() -> bind(Map.of("error_kind", "overloaded")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".error_kind")
                .hasMessageContaining("[rate_limit, server, timeout, bad_request]")
                .hasMessageContaining("overloaded");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "error_rate           | 1.5  | from 0 to 1",
        "error_rate           | -0.1 | from 0 to 1",
        "tokens_per_second    | -3   | >= 0",
        "response_tokens      | 0    | positive integer",
        "embedding_dimensions | 0    | from 1 to",
        "fail_after_tokens    | -2   | -1 for never",
        "ttft                 | soon | duration",
    })
    void outOfRangeValuesAreRejectedNamingTheKeyAndWhatIsAllowed(String key, String value, String allowed) {
        assertThatThrownBy(() -> bind(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + "." + key)
                .hasMessageContaining(allowed);
    }

    @Test
    void replyAndResponseTokensExcludeEachOther() {
        assertThatThrownBy(() -> bind(Map.of("reply", "hi", "response_tokens", 4)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".response_tokens")
                .hasMessageContaining(PATH + ".reply");
    }

    @Test
    void blankReplyIsRejected() {
        assertThatThrownBy(() -> bind(Map.of("reply", "   ")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".reply");
    }
}
