package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.UPSTREAM_MODEL;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.answer;
import static dev.tollgate.plugin.openai.TestSupport.chat;
import static dev.tollgate.plugin.openai.TestSupport.config;
import static dev.tollgate.plugin.openai.TestSupport.stream;
import static dev.tollgate.plugin.openai.TestSupport.streamChat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code preset:}: the URL, query and authentication a request goes out with, per preset, and Azure's errors. */
class PresetTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String COMPLETION = SseFixtures.completion("chatcmpl-1", UPSTREAM_MODEL, "hello", 12, 3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> AZURE = Map.of(
            "preset", "azure", "endpoint", "https://contoso.openai.azure.com/", "deployment", "gpt4o-prod", "api_key", KEY);

    private static UpstreamRequest sent(Map<String, ?> config) {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        RecordingResponseSink<ChatResponse> sink = answer(adapter(config), chat(BODY), http);
        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        return http.onlyRequest();
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @ParameterizedTest
    @CsvSource({
        "openai, https://api.openai.com/v1/chat/completions",
        "groq, https://api.groq.com/openai/v1/chat/completions",
        "mistral, https://api.mistral.ai/v1/chat/completions",
        "deepseek, https://api.deepseek.com/chat/completions",
        "openrouter, https://openrouter.ai/api/v1/chat/completions",
        "together, https://api.together.xyz/v1/chat/completions",
        "vllm, http://localhost:8000/v1/chat/completions",
        "ollama, http://localhost:11434/v1/chat/completions",
    })
    void hostedAndLocalPresetsSendToTheirBaseWithABearerKey(String preset, String url) {
        UpstreamRequest r = sent(Map.of("preset", preset, "api_key", KEY));

        assertThat(r.uri()).hasToString(url);
        assertThat(r.uri().getRawQuery()).isNull();
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("api-key")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"vllm", "ollama"})
    void localServersNeedNoKeyAndGetNoAuthorizationHeader(String preset) {
        UpstreamRequest r = sent(Map.of("preset", preset));

        assertThat(r.headers().first("Authorization")).isEmpty();
        assertThat(r.headers().first("api-key")).isEmpty();
    }

    @Test
    void anApiBaseOverridesThePresetsDefault() {
        UpstreamRequest r = sent(Map.of("preset", "vllm", "api_base", "http://gpu-box.internal:9000/v1/"));

        assertThat(r.uri()).hasToString("http://gpu-box.internal:9000/v1/chat/completions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "groq", "mistral", "deepseek", "openrouter", "together"})
    void hostedPresetsRefuseToStartWithoutAKey(String preset) {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("preset", preset))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("api_key is required with")
                .hasMessageContaining("preset " + preset);
    }

    @Test
    void anUnknownPresetNamesTheKnownOnes() {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("preset", "bedrock", "api_key", KEY))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("preset must be one of openai, azure, vllm, ollama, groq, mistral, deepseek, openrouter, together")
                .hasMessageContaining("'bedrock'");
    }

    @Test
    void azureBuildsTheDeploymentUrlWithApiVersionAndTheApiKeyHeader() {
        UpstreamRequest r = sent(AZURE);

        assertThat(r.uri()).hasToString(
                "https://contoso.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21");
        assertThat(r.headers().first("api-key")).contains(KEY);
        assertThat(r.headers().first("Authorization")).isEmpty();
    }

    @Test
    void azureStreamsAndEmbeddingsUseTheSameDeploymentAndVersion() {
        Map<String, String> config = with(AZURE, "api_version", "2025-04-01-preview");
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(SseFixtures.sse(
                SseFixtures.contentChunk("c", UPSTREAM_MODEL, "hi"), SseFixtures.stopChunk("c", UPSTREAM_MODEL), "[DONE]"))));

        stream(adapter(config), streamChat(BODY, false), http);

        assertThat(http.onlyRequest().uri()).hasToString(
                "https://contoso.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-04-01-preview");
        assertThat(OpenAiConfig.from(config(config)).embeddingsUri()).hasToString(
                "https://contoso.openai.azure.com/openai/deployments/gpt4o-prod/embeddings?api-version=2025-04-01-preview");
    }

    @Test
    void azureKeepsOtherQueryParametersAndAcceptsEntraTokensAsBearer() {
        UpstreamRequest r = sent(with(AZURE, "auth", "bearer"));
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("api-key")).isEmpty();

        OpenAiConfig c = OpenAiConfig.from(config(Map.of("preset", "azure", "endpoint", "https://contoso.openai.azure.com",
                "deployment", "d", "api_key", KEY, "query", Map.of("trace", "1"))));
        assertThat(c.chatUri()).hasToString(
                "https://contoso.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21&trace=1");
    }

    @Test
    void azureTranslatedRequestsUseMaxCompletionTokensEvenOnOtherAzureHosts() throws Exception {
        Map<String, String> config = with(AZURE, "endpoint", "https://contoso.cognitiveservices.azure.com");
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        ChatRequest chat = ChatRequest.builder().model("m").addMessage(Message.user("hi")).maxTokens(64).build();

        answer(adapter(config), TestRequests.translated("req-1", WireFormat.ANTHROPIC_MESSAGES, chat, UPSTREAM_MODEL), http);

        JsonNode body = JSON.readTree(http.onlyRequest().body().utf8());
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(64);
        assertThat(body.has("max_tokens")).isFalse();
    }

    @Test
    void otherPresetsWriteMaxTokens() throws Exception {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        ChatRequest chat = ChatRequest.builder().model("m").addMessage(Message.user("hi")).maxTokens(64).build();

        answer(adapter(Map.of("preset", "groq", "api_key", KEY)),
                TestRequests.translated("req-1", WireFormat.ANTHROPIC_MESSAGES, chat, UPSTREAM_MODEL), http);

        JsonNode body = JSON.readTree(http.onlyRequest().body().utf8());
        assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.has("max_completion_tokens")).isFalse();
    }

    @Test
    void azureConfigErrorsSayWhatToSet() {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("preset", "azure", "deployment", "d", "api_key", KEY))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("endpoint");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("preset", "azure", "endpoint", "https://x.openai.azure.com",
                "api_key", KEY))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("deployment");
        assertThatThrownBy(() -> OpenAiConfig.from(config(with(AZURE, "deployment", "a/../b"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("deployment must be the deployment's name");
        assertThatThrownBy(() -> OpenAiConfig.from(config(with(AZURE, "api_base", "https://x.openai.azure.com"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("api_base is not used with");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("preset", "azure", "endpoint", "https://x.openai.azure.com",
                "deployment", "d"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("api_key is required");
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("preset", "azure", "endpoint", "https://x.openai.azure.com",
                "deployment", "d", "api_key", KEY, "query", Map.of("api-version", "2024-06-01")))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("set only one of them");
    }

    @Test
    void azureOnlyKeysAreUnknownToOtherPresets() {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("preset", "groq", "api_key", KEY, "deployment", "d"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("deployment");
    }

    private static GatewayException azureFailure(Reply reply) {
        RecordingResponseSink<ChatResponse> sink = answer(adapter(AZURE), chat(BODY), ScriptedUpstreamHttp.always(reply));
        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        return sink.error();
    }

    @Test
    void azureContentFilterErrorsMapToContentPolicy() {
        GatewayException e = azureFailure(Reply.json(400, "{\"error\":{\"message\":\"The response was filtered due to the prompt"
                + " triggering Azure OpenAI's content management policy.\",\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\","
                + "\"status\":400,\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\",\"content_filter_result\":"
                + "{\"hate\":{\"filtered\":true,\"severity\":\"high\"}}}}}"));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
        assertThat(e.code()).isEqualTo("content_filter");
        assertThat(e.reason()).isEqualTo(FailureReason.CONTENT_POLICY);
    }

    @Test
    void azureRateLimitsWithANumericCodeMapLikeOpenAis() {
        GatewayException e = azureFailure(Reply.json(429, "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the"
                + " ChatCompletions_Create Operation have exceeded token rate limit. Please retry after 7 seconds.\"}}")
                .withHeader("retry-after", "7"));

        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    }

    @Test
    void azureAuthAndMissingDeploymentErrors() {
        GatewayException auth = azureFailure(Reply.json(401, "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to"
                + " invalid subscription key or wrong API endpoint.\"}}"));
        assertThat(auth.status()).isEqualTo(502);
        assertThat(auth.code()).isEqualTo("upstream_auth_failed");
        assertThat(auth.getMessage()).doesNotContain(KEY);

        GatewayException missing = azureFailure(Reply.json(404, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API"
                + " deployment for this resource does not exist.\"}}"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("DeploymentNotFound");
    }

    @Test
    void azureContextWindowErrorsAreMarkedForFallback() {
        GatewayException e = azureFailure(Reply.json(400, "{\"error\":{\"message\":\"This model's maximum context length is 128000"
                + " tokens. However, your messages resulted in 130000 tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                + "\"code\":\"context_length_exceeded\"}}"));

        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.reason()).isEqualTo(FailureReason.CONTEXT_WINDOW_EXCEEDED);
    }
}
