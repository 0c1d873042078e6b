package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.await;
import static dev.tollgate.plugin.openai.TestSupport.awaitFailure;
import static dev.tollgate.plugin.openai.TestSupport.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.Usage;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String COMPLETION = SseFixtures.completion("chatcmpl-1", "gpt-4o-2024-08-06", "hello", 12, 3);

    private static UpstreamRequest sent(Map<String, ?> config) {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
            OpenAiAdapter adapter = adapter(config);
            await(call, () -> adapter.chat(chat(BODY), call));
        }
        return http.onlyRequest();
    }

    @Test
    void bearerRequest() {
        UpstreamRequest r = sent(Map.of("api_key", KEY, "read_timeout", "42s", "connect_timeout", "3s"));

        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.uri()).hasToString("https://api.openai.com/v1/chat/completions");
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("api-key")).isEmpty();
        assertThat(r.headers().first("Content-Type")).contains("application/json");
        assertThat(r.headers().first("Accept")).contains("application/json");
        assertThat(r.headers().first("X-Request-Id")).contains("req-42");
        assertThat(r.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.responseTimeout()).isEqualTo(Duration.ofSeconds(42));
        assertThat(r.idleTimeout()).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void azureStyleRequest() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("api_base", "https://res.openai.azure.com/openai/deployments/gpt4o/");
        config.put("api_key", KEY);
        config.put("auth", "api-key");
        config.put("query", Map.of("api-version", "2024-10-21"));
        config.put("headers", Map.of("X-Team", "search", "X-Ms-Client", "a b"));

        UpstreamRequest r = sent(config);

        assertThat(r.uri()).hasToString(
                "https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21");
        assertThat(r.headers().first("api-key")).contains(KEY);
        assertThat(r.headers().first("Authorization")).isEmpty();
        assertThat(r.headers().first("X-Team")).contains("search");
        assertThat(r.headers().first("X-Ms-Client")).contains("a b");
    }

    @Test
    void noAuthSendsNoCredentials() {
        UpstreamRequest none = sent(Map.of("api_base", "http://localhost:8000/v1", "auth", "none", "api_key", KEY));
        UpstreamRequest keyless = sent(Map.of("api_base", "http://localhost:8000/v1"));

        for (UpstreamRequest r : new UpstreamRequest[] {none, keyless}) {
            assertThat(r.uri()).hasToString("http://localhost:8000/v1/chat/completions");
            assertThat(r.headers().first("Authorization")).isEmpty();
            assertThat(r.headers().first("api-key")).isEmpty();
            assertThat(r.headers().first("X-Request-Id")).contains("req-42");
        }
    }

    @Test
    void modelRewrittenToTheUpstreamModel() {
        UpstreamRequest r = sent(Map.of());

        assertThat(r.body().utf8()).isEqualTo(
                "{\"model\":\"gpt-4o-2024-08-06\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void matchingModelSendsTheClientBytesUntouched() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        ChatRequest request = chat("gpt-4o", "gpt-4o", false, "{ \"model\" : \"gpt-4o\", \"messages\":[] }");
        try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
            await(call, () -> adapter().chat(request, call));
        }

        assertThat(http.onlyRequest().body()).isSameAs(request.body());
    }

    @Test
    void bodyPassedThroughAndUsageExtracted() {
        String upstream = "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"ok\",\"usage\":{\"prompt_tokens\":999}}}],"
                + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":45,\"total_tokens\":165,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":100,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":30,\"accepted_prediction_tokens\":0}},"
                + "\"system_fingerprint\":\"fp\"}";
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(
                Reply.json(200, upstream).withHeader("openai-processing-ms", "321"));
        ProviderResult result;
        try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
            result = await(call, () -> adapter().chat(chat(BODY), call));
        }

        assertThat(result.body().toArray()).isEqualTo(upstream.getBytes(StandardCharsets.UTF_8));
        assertThat(result.usage()).isEqualTo(new Usage(120, 45, 100, 0, 30));
        assertThat(result.headers().first("openai-processing-ms")).contains("321");
    }

    @Test
    void missingUsageIsZero() {
        String upstream = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"ok\"}}]}";
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, upstream));
        ProviderResult result;
        try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
            result = await(call, () -> adapter().chat(chat(BODY), call));
        }

        assertThat(result.usage()).isEqualTo(Usage.ZERO);
        assertThat(result.body().utf8()).isEqualTo(upstream);
    }

    @Test
    void malformedSuccessBodiesAre502() {
        for (String body : new String[] {"[]", "\"text\"", "<html>oops</html>", "{\"id\":\"c\"}", "{\"choices\":{}}",
                "{\"choices\":[", ""}) {
            ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, body));
            GatewayException e;
            try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
                e = awaitFailure(call, () -> adapter().chat(chat(BODY), call));
            }

            assertThat(e.status()).as(body).isEqualTo(502);
            assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
            assertThat(e.code()).isEqualTo("upstream_malformed_response");
            assertThat(e.getMessage()).isEqualTo("the provider returned a malformed response");
        }
    }

    @Test
    void transportFailureIsPassedOnAsIs() {
        GatewayException timeout = ScriptedUpstreamHttp.timeout(Duration.ofSeconds(600));
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.failure(timeout));
        GatewayException e;
        try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
            e = awaitFailure(call, () -> adapter().chat(chat(BODY), call));
        }

        assertThat(e).isSameAs(timeout);
    }

    @Test
    void invalidClientBodyIsAClientError() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        GatewayException e;
        try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
            e = awaitFailure(call, () -> adapter().chat(
                    new ChatRequest("req-42", "a", "b", false, false, dev.tollgate.spi.provider.ApiFormat.OPENAI_CHAT,
                            Bytes.utf8("[1,2]")), call));
        }

        assertThat(e.type()).isEqualTo(ErrorType.CLIENT);
        assertThat(e.status()).isEqualTo(400);
        assertThat(http.requests()).isEmpty();
    }

    @Test
    void headersSetForEveryRequestAreNotDuplicated() {
        UpstreamRequest r = sent(Map.of("headers", Map.of("accept", "text/plain", "X-Request-Id", "spoof")));

        assertThat(r.headers().all("Accept")).containsExactly("application/json");
        assertThat(r.headers().all("X-Request-Id")).containsExactly("req-42");
        assertThat(r.headers()).isNotEqualTo(Headers.EMPTY);
    }
}
