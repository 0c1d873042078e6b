package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.chat;
import static dev.tollgate.plugin.openai.TestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.http.HttpProtocol;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code timeout} and {@code http_version} keys and the requests they shape. */
class TotalTimeoutAndProtocolTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void defaultsToTenMinutesInTotalOverHttp11() {
        OpenAiConfig c = OpenAiConfig.from(config(Map.of()));

        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.protocol()).isEqualTo(HttpProtocol.HTTP_1_1);
    }

    @Test
    void mapsTimeoutAndH2cForAnHttpBase() {
        OpenAiConfig c = OpenAiConfig.from(config(Map.of("api_base", "http://127.0.0.1:8000/v1", "timeout", "45s",
                "http_version", "h2c")));

        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.protocol()).isEqualTo(HttpProtocol.H2C_PRIOR_KNOWLEDGE);
        assertThat(c.toString()).contains("timeout=PT45S", "http_version=H2C_PRIOR_KNOWLEDGE");
    }

    @Test
    void acceptsTheVersionAsAYamlNumberAndZeroAsNoLimit() {
        OpenAiConfig c = OpenAiConfig.from(config(Map.of("http_version", 1.1, "timeout", "0s")));

        assertThat(c.protocol()).isEqualTo(HttpProtocol.HTTP_1_1);
        assertThat(c.timeout()).isZero();
    }

    @Test
    void refusesH2cOverHttpsAndUnknownVersions() {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("http_version", "h2c"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".http_version").hasMessageContaining("http api_base");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("http_version", "2"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".http_version").hasMessageContaining("\"h2c\"");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("timeout", "-1s"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".timeout");
    }

    @Test
    void everyUpstreamRequestCarriesTheTotalLimitAndProtocol() {
        Map<String, Object> cfg = Map.of("api_key", KEY, "api_base", "http://127.0.0.1:8000/v1", "timeout", "30s",
                "http_version", "h2c");
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.answering(r -> r.headers().first("Accept").orElse("").contains("event-stream")
                ? Reply.eventStream(List.of(SseFixtures.sse("[DONE]")))
                : Reply.json(200, SseFixtures.completion("chatcmpl-1", "m", "hello", 1, 1)));
        OpenAiAdapter adapter = adapter(cfg);
        TestSupport.answer(adapter, chat(BODY), http);
        TestSupport.stream(adapter, TestSupport.streamChat(BODY, false), http);

        assertThat(http.requests()).hasSize(2).allSatisfy(r -> {
            assertThat(r.totalTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(r.protocol()).isEqualTo(HttpProtocol.H2C_PRIOR_KNOWLEDGE);
        });
    }

    @Test
    void upstreamRequestKeepsItsSevenArgumentFormWithoutATotalLimit() {
        UpstreamRequest r = UpstreamRequest.postJson(java.net.URI.create("http://h/v1"), dev.tollgate.spi.http.Headers.EMPTY,
                dev.tollgate.spi.Bytes.EMPTY);

        assertThat(r.totalTimeout()).isZero();
        assertThat(r.protocol()).isEqualTo(HttpProtocol.HTTP_1_1);
        UpstreamRequest changed = r.withTotalTimeout(Duration.ofSeconds(5)).withTimeouts(Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(3));
        assertThat(changed.totalTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(changed.idleTimeout()).isEqualTo(Duration.ofSeconds(3));
    }
}
