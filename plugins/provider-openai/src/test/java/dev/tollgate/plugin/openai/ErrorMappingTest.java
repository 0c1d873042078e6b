package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.answer;
import static dev.tollgate.plugin.openai.TestSupport.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorMappingTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[]}";

    static GatewayException chatFailure(Reply reply) {
        RecordingResponseSink<ChatResponse> sink = answer(adapter(), chat(BODY), ScriptedUpstreamHttp.always(reply));
        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        assertThat(sink.relayed()).isFalse();
        return sink.error();
    }

    @ParameterizedTest
    @CsvSource({
        "400, 400, UPSTREAM_CLIENT, context_length_exceeded",
        "404, 404, UPSTREAM_CLIENT, context_length_exceeded",
        "409, 409, UPSTREAM_CLIENT, context_length_exceeded",
        "413, 413, UPSTREAM_CLIENT, context_length_exceeded",
        "415, 415, UPSTREAM_CLIENT, context_length_exceeded",
        "422, 422, UPSTREAM_CLIENT, context_length_exceeded",
        "401, 502, UPSTREAM_SERVER, upstream_auth_failed",
        "403, 502, UPSTREAM_SERVER, upstream_auth_failed",
        "408, 504, UPSTREAM_SERVER, upstream_timeout",
        "429, 429, RATE_LIMITED, context_length_exceeded",
        "402, 502, UPSTREAM_SERVER, upstream_error",
        "410, 502, UPSTREAM_SERVER, upstream_error",
        "451, 502, UPSTREAM_SERVER, upstream_error",
        "500, 502, UPSTREAM_SERVER, upstream_error",
        "502, 502, UPSTREAM_SERVER, upstream_error",
        "503, 502, UPSTREAM_SERVER, upstream_error",
        "504, 504, UPSTREAM_SERVER, upstream_timeout",
        "302, 502, UPSTREAM_SERVER, upstream_error",
    })
    void mapsEachUpstreamStatus(int upstream, int status, ErrorType type, String code) {
        GatewayException e = chatFailure(Reply.json(upstream,
                "{\"error\":{\"message\":\"too long\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                        + "\"code\":\"context_length_exceeded\"}}"));

        assertThat(e.status()).isEqualTo(status);
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.retryable()).isEqualTo(type.retryableByDefault());
        if (type == ErrorType.UPSTREAM_CLIENT) {
            assertThat(e.getMessage()).isEqualTo("too long");
            assertThat(e.param()).contains("messages");
        }
    }

    @Test
    void clientRejectionFallsBackToTypeThenDefault() {
        GatewayException byType = chatFailure(Reply.json(400, SseFixtures.openAiError("bad", "invalid_request_error", null)));
        GatewayException numericCode = chatFailure(Reply.json(400,
                "{\"object\":\"error\",\"message\":\"max_tokens too large\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}"));
        GatewayException unparseable = chatFailure(Reply.json(404, "<html>Not Found</html>"));

        assertThat(byType.code()).isEqualTo("invalid_request_error");
        assertThat(byType.param()).isEmpty();
        assertThat(numericCode.code()).isEqualTo("BadRequestError");
        assertThat(numericCode.getMessage()).isEqualTo("max_tokens too large");
        assertThat(unparseable.status()).isEqualTo(404);
        assertThat(unparseable.code()).isEqualTo("upstream_invalid_request");
        assertThat(unparseable.getMessage()).isEqualTo("the provider rejected the request (HTTP 404)");
    }

    @Test
    void contextWindowRejectionSaysSoForFallbacks() {
        GatewayException openAi = chatFailure(Reply.json(400, SseFixtures.openAiError(
                "This model's maximum context length is 128000 tokens.", "invalid_request_error", "context_length_exceeded")));
        GatewayException vllm = chatFailure(Reply.json(400, "{\"object\":\"error\",\"message\":\"This model's maximum context "
                + "length is 4096 tokens. However, you requested 5000 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}"));

        assertThat(openAi.reason()).isEqualTo(FailureReason.CONTEXT_WINDOW_EXCEEDED);
        assertThat(vllm.reason()).isEqualTo(FailureReason.CONTEXT_WINDOW_EXCEEDED);
        assertThat(vllm.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
    }

    @Test
    void contentPolicyRejectionSaysSo() {
        GatewayException openAi = chatFailure(Reply.json(400, SseFixtures.openAiError(
                "Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation")));
        GatewayException azure = chatFailure(Reply.json(400, "{\"error\":{\"message\":\"The response was filtered due to the prompt "
                + "triggering Azure OpenAI's content management policy.\",\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\","
                + "\"status\":400}}"));

        assertThat(openAi.reason()).isEqualTo(FailureReason.CONTENT_POLICY);
        assertThat(azure.reason()).isEqualTo(FailureReason.CONTENT_POLICY);
        assertThat(azure.code()).isEqualTo("content_filter");
    }

    @Test
    void otherRejectionsHaveNoSpecificReason() {
        GatewayException e = chatFailure(Reply.json(400, SseFixtures.openAiError("Invalid value for 'temperature'", "invalid_request_error",
                "invalid_value")));

        assertThat(e.reason()).isEqualTo(FailureReason.UNSPECIFIED);
    }

    @Test
    void authFailureNeverEchoesTheBody() {
        GatewayException e = chatFailure(Reply.json(401, SseFixtures.openAiError(
                "Incorrect API key provided: sk-test-***cdef. You can find your API key at ...", "invalid_request_error",
                "invalid_api_key")));

        assertThat(e.getMessage()).isEqualTo("the provider rejected the gateway's credentials");
        assertThat(e.fallbackAllowed()).isTrue();
    }

    @Test
    void rateLimitWithRetryAfterSeconds() {
        GatewayException e = chatFailure(Reply.json(429, SseFixtures.openAiError(
                "Rate limit reached for requests", "requests", "rate_limit_exceeded")).withHeader("Retry-After", "7"));

        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
        assertThat(e.getMessage()).isEqualTo("Rate limit reached for requests");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void rateLimitWithRetryAfterHttpDate() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(TestSupport.NOW.plusSeconds(90).atZone(ZoneOffset.UTC));

        GatewayException e = chatFailure(Reply.json(429, "{}").withHeader("Retry-After", date));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(90));
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
        assertThat(e.getMessage()).isEqualTo("the provider's rate limit was exceeded");
    }

    @Test
    void rateLimitWithRetryAfterMsAndPastDate() {
        GatewayException ms = chatFailure(Reply.json(429, "{}").withHeader("retry-after-ms", "1500"));
        GatewayException past = chatFailure(Reply.json(429, "{}").withHeader("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"));
        GatewayException garbage = chatFailure(Reply.json(429, "{}").withHeader("Retry-After", "soon"));

        assertThat(ms.retryAfter()).contains(Duration.ofMillis(1500));
        assertThat(past.retryAfter()).contains(Duration.ZERO);
        assertThat(garbage.retryAfter()).isEmpty();
    }

    @Test
    void insufficientQuotaKeepsItsCodeAndIsNotRetriedOnTheSameDeployment() {
        GatewayException e = chatFailure(Reply.json(429, SseFixtures.openAiError(
                "You exceeded your current quota", "insufficient_quota", "insufficient_quota")));

        assertThat(e.code()).isEqualTo("insufficient_quota");
        assertThat(e.retryable()).isFalse();
        assertThat(e.fallbackAllowed()).isTrue();
    }

    @Test
    void serverErrorsEchoOnlyShortMessages() {
        GatewayException shortMessage = chatFailure(Reply.json(500, SseFixtures.openAiError("The server had an error", "server_error", null)));
        GatewayException longMessage = chatFailure(Reply.json(503, SseFixtures.openAiError("x".repeat(600), "server_error", null)));
        GatewayException html = chatFailure(Reply.of(502, Headers.of("Content-Type", "text/html"),
                "<html><body>Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8)));

        assertThat(shortMessage.getMessage()).isEqualTo("the provider failed (HTTP 500): The server had an error");
        assertThat(longMessage.getMessage()).isEqualTo("the provider failed (HTTP 503)");
        assertThat(html.getMessage()).isEqualTo("the provider failed (HTTP 502)");
    }

    @Test
    void status408IsARetryableTimeout() {
        GatewayException e = chatFailure(Reply.json(408, ""));

        assertThat(e.code()).isEqualTo("upstream_timeout");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void apiKeyNeverReachesAMessage() {
        String echo = "Invalid key " + KEY + " for model";
        for (int status : new int[] {400, 401, 403, 404, 422, 429, 500, 503}) {
            GatewayException e = chatFailure(Reply.json(status,
                    "{\"error\":{\"message\":\"" + echo + "\",\"type\":\"t\",\"param\":\"" + KEY + "\",\"code\":\"" + KEY + "\"}}"));

            assertThat(e.getMessage()).as("HTTP %d", status).doesNotContain(KEY);
            assertThat(e.code()).doesNotContain(KEY);
            assertThat(e.param().orElse("")).doesNotContain(KEY);
            if (status != 401 && status != 403) {
                assertThat(e.getMessage()).contains("Invalid key *** for model");
            }
        }
    }
}
