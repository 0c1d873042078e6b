package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.MODEL;
import static dev.tollgate.plugin.openai.TestSupport.UPSTREAM_MODEL;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.answer;
import static dev.tollgate.plugin.openai.TestSupport.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Non-streamed pass-through: what goes upstream, and the answer relayed byte for byte. */
class ChatTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String COMPLETION = SseFixtures.completion("chatcmpl-1", UPSTREAM_MODEL, "hello", 12, 3);

    private static UpstreamRequest sent(Map<String, ?> config) {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        RecordingResponseSink<ChatResponse> sink = answer(adapter(config), chat(BODY), http);
        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        return http.onlyRequest();
    }

    private static RecordingResponseSink<ChatResponse> answerTo(Reply reply) {
        return answer(adapter(), chat(BODY), ScriptedUpstreamHttp.always(reply));
    }

    @Test
    void sendsABearerRequestWithTheConfiguredTimeouts() {
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
    void sendsAnAzureStyleRequest() {
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
    void sendsNoCredentialsWithAuthNoneOrWithoutAKey() {
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
    void rewritesTheModelToTheUpstreamModel() {
        UpstreamRequest r = sent(Map.of());

        assertThat(r.body().utf8()).isEqualTo(
                "{\"model\":\"gpt-4o-2024-08-06\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void sendsTheClientBytesThemselvesWhenTheModelMatches() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));
        ProviderRequest request = TestRequests.openAiChat("req-42", MODEL, false, false,
                "{ \"model\" : \"gpt-4o\", \"messages\":[] }", MODEL);

        answer(adapter(), request, http);

        assertThat(http.onlyRequest().body()).isSameAs(request.nativeBody().orElseThrow());
    }

    @Test
    void relaysTheAnswerByteForByteAndObservesItsUsageAndStopReason() {
        String upstream = "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"ok\",\"usage\":{\"prompt_tokens\":999}}, \"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":45,\"total_tokens\":165,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":100,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":30,\"accepted_prediction_tokens\":0}},"
                + "\"system_fingerprint\":\"fp\"}";

        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.json(200, upstream).withHeader("openai-processing-ms", "321"));

        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        assertThat(sink.relayed()).isFalse();
        assertThat(sink.body().toArray()).isEqualTo(upstream.getBytes(StandardCharsets.UTF_8));
        assertThat(sink.observed().observedUsage()).contains(
                Usage.builder().inputTokens(120).outputTokens(45).cachedInputTokens(100).reasoningTokens(30).build());
        assertThat(sink.observed().stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(sink.headers().first("openai-processing-ms")).contains("321");
        assertThat(sink.response()).isNull();
    }

    @Test
    void usageIsUnknownWhenTheAnswerReportsNone() {
        String upstream = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"ok\"}}]}";

        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.json(200, upstream));

        assertThat(sink.observed().observedUsage()).isEmpty();
        assertThat(sink.body().utf8()).isEqualTo(upstream);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "<html>oops</html>", "{\"id\":\"c\"}", "{\"choices\":{}}", "{\"choices\":[", "",
            "{\"choices\":[]} trailing"})
    void malformedSuccessBodyIs502(String body) {
        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.json(200, body));

        GatewayException e = sink.error();
        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        assertThat(sink.relayed()).isFalse();
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
        assertThat(e.code()).isEqualTo("upstream_malformed_response");
        assertThat(e.getMessage()).isEqualTo("the provider returned a malformed response");
    }

    @Test
    void htmlErrorPageWithStatus200Is502() {
        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.of(200, Headers.of("Content-Type", "text/html"),
                "<!DOCTYPE html><html><body>Service Unavailable</body></html>".getBytes(StandardCharsets.UTF_8)));

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.body()).isNull();
    }

    @Test
    void relaysAnAnswerLargerThanTheHoldLimitAsItArrives() {
        String content = "0123456789abcdef".repeat(NativeAnswer.HOLD_LIMIT / 16 + 1024);
        String upstream = "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + content + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":70000,\"completion_tokens_details\":{\"reasoning_tokens\":5}}}";
        byte[] bytes = upstream.getBytes(StandardCharsets.UTF_8);
        Headers headers = Headers.of("Content-Type", "application/json", "Content-Length", Integer.toString(bytes.length));

        RecordingResponseSink<ChatResponse> sink = answer(adapter(), chat(BODY),
                TestSupport.upstream(200, headers, SseFixtures.split(bytes, 16 * 1024), null));

        assertThat(bytes.length).isGreaterThan(NativeAnswer.HOLD_LIMIT);
        assertThat(sink.relayed()).isTrue();
        assertThat(sink.kind()).isEqualTo(Kind.RELAYED);
        assertThat(sink.declaredLength()).isEqualTo(bytes.length);
        assertThat(sink.body().toArray()).isEqualTo(bytes);
        assertThat(sink.observed().observedUsage()).contains(Usage.builder().inputTokens(7).outputTokens(70000).reasoningTokens(5).build());
    }

    @Test
    void passesTransportFailuresOnAsTheyAre() {
        GatewayException timeout = ScriptedUpstreamHttp.timeout(Duration.ofSeconds(600));

        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.failure(timeout));

        assertThat(sink.error()).isSameAs(timeout);
    }

    @Test
    void refusesABodyThatIsNotAnObjectWith400BeforeAnyCall() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, COMPLETION));

        RecordingResponseSink<ChatResponse> sink = answer(adapter(),
                TestRequests.openAiChat("req-42", "a", false, false, "[1,2]", "b"), http);

        assertThat(sink.error().type()).isEqualTo(ErrorType.CLIENT);
        assertThat(sink.error().status()).isEqualTo(400);
        assertThat(http.requests()).isEmpty();
    }

    @Test
    void configuredHeadersCannotDuplicateTheOnesSetForEveryRequest() {
        UpstreamRequest r = sent(Map.of("headers", Map.of("accept", "text/plain", "X-Request-Id", "spoof")));

        assertThat(r.headers().all("Accept")).containsExactly("application/json");
        assertThat(r.headers().all("X-Request-Id")).containsExactly("req-42");
    }
}
