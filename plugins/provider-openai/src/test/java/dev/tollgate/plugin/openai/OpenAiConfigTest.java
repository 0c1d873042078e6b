package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiConfigTest {

    @Test
    void defaults() {
        OpenAiConfig c = OpenAiConfig.from(config(Map.of()));

        assertThat(c.apiBase()).isEqualTo("https://api.openai.com/v1");
        assertThat(c.chatUri()).hasToString("https://api.openai.com/v1/chat/completions");
        assertThat(c.embeddingsUri()).hasToString("https://api.openai.com/v1/embeddings");
        assertThat(c.apiKey()).isNull();
        assertThat(c.auth()).isEqualTo(OpenAiConfig.Auth.BEARER);
        assertThat(c.baseHeaders().size()).isZero();
        assertThat(c.query()).isEmpty();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.includeUsage()).isTrue();
        assertThat(c.maxTokensField()).isEqualTo("max_completion_tokens");
        assertThat(c.keyMissing()).isFalse();
        assertThat(c.responsesNative()).as("api.openai.com serves Responses").isTrue();
        assertThat(c.responsesUri()).hasToString("https://api.openai.com/v1/responses");
        assertThat(c.responsesModel()).isNull();
    }

    @Test
    void fullMapping() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("api_base", "https://my-resource.openai.azure.com/openai/deployments/gpt4o/");
        values.put("api_key", KEY);
        values.put("headers", Map.of("X-Team", "search"));
        values.put("query", Map.of("api-version", "2024-10-21"));
        values.put("auth", "api-key");
        values.put("connect_timeout", "2s");
        values.put("read_timeout", "90s");
        values.put("include_usage", "false");
        values.put("max_tokens_field", "max_tokens");
        values.put("responses", "native");

        OpenAiConfig c = OpenAiConfig.from(config(values));

        assertThat(c.apiBase()).isEqualTo("https://my-resource.openai.azure.com/openai/deployments/gpt4o");
        assertThat(c.chatUri()).hasToString(
                "https://my-resource.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21");
        assertThat(c.apiKey()).isEqualTo(KEY);
        assertThat(c.auth()).isEqualTo(OpenAiConfig.Auth.API_KEY);
        assertThat(c.baseHeaders().first("api-key")).contains(KEY);
        assertThat(c.baseHeaders().first("authorization")).isEmpty();
        assertThat(c.baseHeaders().first("X-Team")).contains("search");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.includeUsage()).isFalse();
        assertThat(c.maxTokensField()).isEqualTo("max_tokens");
        assertThat(c.keyMissing()).isFalse();
        assertThat(c.responsesNative()).isTrue();
        assertThat(c.responsesUri()).hasToString(
                "https://my-resource.openai.azure.com/openai/deployments/gpt4o/responses?api-version=2024-10-21");
    }

    @Test
    void plainHttpBaseForLocalServers() {
        OpenAiConfig c = OpenAiConfig.from(config(Map.of("api_base", "http://localhost:11434/v1", "auth", "none")));

        assertThat(c.chatUri()).hasToString("http://localhost:11434/v1/chat/completions");
        assertThat(c.baseHeaders().size()).isZero();
    }

    @ParameterizedTest
    @CsvSource({
        "https://api.openai.com/v1, max_completion_tokens",
        "https://API.OPENAI.COM/v1/, max_completion_tokens",
        "https://my-resource.openai.azure.com/openai/deployments/gpt4o, max_completion_tokens",
        "http://localhost:8000/v1, max_tokens",
        "https://api.groq.com/openai/v1, max_tokens",
        "https://api.openai.com.example.net/v1, max_tokens",
    })
    void maxTokensFieldDefaultsByHost(String apiBase, String expected) {
        assertThat(OpenAiConfig.from(config(Map.of("api_base", apiBase))).maxTokensField()).isEqualTo(expected);
        assertThat(OpenAiConfig.from(config(Map.of("api_base", apiBase, "max_tokens_field", "auto"))).maxTokensField()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "https://api.openai.com/v1, max_tokens",
        "http://localhost:8000/v1, max_completion_tokens",
        "http://localhost:8000/v1, max_tokens",
    })
    void explicitMaxTokensFieldWins(String apiBase, String field) {
        assertThat(OpenAiConfig.from(config(Map.of("api_base", apiBase, "max_tokens_field", field))).maxTokensField()).isEqualTo(field);
    }

    @Test
    void invalidMaxTokensFieldNamesTheKey() {
        for (String bad : List.of("max_output_tokens", "MAX_TOKENS", "")) {
            assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("max_tokens_field", bad))))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(TestSupport.PATH + ".max_tokens_field")
                    .hasMessageContaining("max_completion_tokens");
        }
    }

    @Test
    void keyConfiguredButResolvedEmptyIsMissing() {
        OpenAiConfig empty = OpenAiConfig.from(config(Map.of("api_key", "")));
        OpenAiConfig blank = OpenAiConfig.from(config(Map.of("api_key", " \t")));
        OpenAiConfig emptyForAzure = OpenAiConfig.from(config(Map.of("api_key", "", "auth", "api-key")));
        OpenAiConfig emptyWithoutAuth = OpenAiConfig.from(config(Map.of("api_key", "", "auth", "none")));
        OpenAiConfig absent = OpenAiConfig.from(config(Map.of()));

        assertThat(empty.keyMissing()).isTrue();
        assertThat(blank.keyMissing()).isTrue();
        assertThat(emptyForAzure.keyMissing()).isTrue();
        assertThat(emptyWithoutAuth.keyMissing()).isFalse();
        assertThat(absent.keyMissing()).isFalse();
        assertThat(empty.apiKey()).isNull();
        assertThat(empty.baseHeaders().first("Authorization")).isEmpty();
    }

    @Test
    void unknownKeyIsNamed() {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("api_bse", "https://x"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(TestSupport.PATH + ".api_bse")
                .hasMessageContaining("api_base");
    }

    @Test
    void badApiBase() {
        for (String bad : List.of("ftp://example.com/v1", "not a url", "api.openai.com/v1", "https://x/v1?api-version=1")) {
            assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("api_base", bad))))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(TestSupport.PATH + ".api_base");
        }
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("auth", "basic"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".auth");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("read_timeout", "soon"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".read_timeout");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("connect_timeout", "0s"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".connect_timeout");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("include_usage", "maybe"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".include_usage");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("headers", Map.of("Bad Name", "x")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".headers.Bad Name");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("auth", "api-key"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".api_key");
    }

    @Test
    void apiKeyNeverShown() {
        OpenAiConfig c = OpenAiConfig.from(config(Map.of("api_key", KEY, "headers", Map.of("X-Team", "a"))));

        assertThat(c.toString()).doesNotContain(KEY).contains("***");
        assertThat(new OpenAiAdapter(c, TestSupport.CLOCK, dev.tollgate.spi.time.Ticker.system(), TestSupport.NO_WARNINGS).toString()).doesNotContain(KEY);
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("api_key", List.of(KEY)))))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("api_key", KEY, "auth", "digest"))))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
    }
}
