package dev.tollgate.plugin.anthropic;

import static dev.tollgate.plugin.anthropic.TestSupport.KEY;
import static dev.tollgate.plugin.anthropic.TestSupport.config;
import static dev.tollgate.plugin.anthropic.TestSupport.withKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnthropicConfigTest {

    @Test
    void defaults() {
        AnthropicConfig c = AnthropicConfig.from(config(withKey()));

        assertThat(c.messagesUri()).hasToString("https://api.anthropic.com/v1/messages");
        assertThat(c.version()).isEqualTo("2023-06-01");
        assertThat(c.betas()).isEmpty();
        assertThat(c.baseHeaders().first("x-api-key")).contains(KEY);
        assertThat(c.baseHeaders().first("anthropic-version")).contains("2023-06-01");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.defaultMaxTokens()).isEmpty();
        assertThat(c.promptCaching()).isEqualTo(AnthropicConfig.PromptCaching.AUTO);
        assertThat(c.cacheMinTokens()).isEmpty();
        assertThat(c.keyMissing()).isFalse();
    }

    @Test
    void everyKeyMapped() {
        AnthropicConfig c = AnthropicConfig.from(config(withKey(
                "api_base", "http://127.0.0.1:9999/v1/",
                "anthropic_version", "2024-01-01",
                "anthropic_beta", List.of("prompt-caching-2024-07-31", "context-1m-2025-08-07"),
                "headers", Map.of("X-Team", "search"),
                "connect_timeout", "2s",
                "read_timeout", "30s",
                "timeout", "0s",
                "default_max_tokens", 8000,
                "prompt_caching", "off",
                "cache_min_tokens", 2048)));

        assertThat(c.messagesUri()).hasToString("http://127.0.0.1:9999/v1/messages");
        assertThat(c.version()).isEqualTo("2024-01-01");
        assertThat(c.betas()).containsExactly("prompt-caching-2024-07-31", "context-1m-2025-08-07");
        assertThat(c.baseHeaders().first("X-Team")).contains("search");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.timeout()).isZero();
        assertThat(c.defaultMaxTokens()).contains(8000);
        assertThat(c.promptCaching()).isEqualTo(AnthropicConfig.PromptCaching.OFF);
        assertThat(c.cacheMinTokens()).contains(2048);
    }

    @Test
    void anApiKeyIsRequiredAndOneThatResolvedEmptyFailsOnlyAtUse() {
        assertThatThrownBy(() -> AnthropicConfig.from(config(Map.of()))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(TestSupport.PATH + ".api_key is required");
        assertThat(AnthropicConfig.from(config(Map.of("api_key", ""))).keyMissing()).isTrue();
    }

    @Test
    void badValuesFailNamingTheKey() {
        assertThatThrownBy(() -> AnthropicConfig.from(config(withKey("prompt_caching", "sometimes"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".prompt_caching must be auto or off");
        assertThatThrownBy(() -> AnthropicConfig.from(config(withKey("api_base", "ftp://example.com"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".api_base must be an http or https URL");
        assertThatThrownBy(() -> AnthropicConfig.from(config(withKey("default_max_tokens", 0))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".default_max_tokens must be a positive");
        assertThatThrownBy(() -> AnthropicConfig.from(config(withKey("anthropic_beta", List.of("a,b")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".anthropic_beta lists beta names");
        assertThatThrownBy(() -> AnthropicConfig.from(config(withKey("headers", Map.of("X-Api-Key", "other")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is set by its own key");
        assertThatThrownBy(() -> AnthropicConfig.from(config(withKey("base_url", "https://x"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("base_url");
    }

    @Test
    void neverShowsTheKey() {
        AnthropicConfig c = AnthropicConfig.from(config(withKey()));

        assertThat(c.toString()).doesNotContain(KEY).contains("api_key=***");
        assertThat(TestSupport.adapter().toString()).doesNotContain(KEY);
        assertThat(c.redact("echo " + KEY + " back")).isEqualTo("echo *** back");
        assertThatThrownBy(() -> AnthropicConfig.from(config(withKey("read_timeout", "-1s"))))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
    }
}
