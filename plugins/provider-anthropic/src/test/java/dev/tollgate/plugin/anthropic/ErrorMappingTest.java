package dev.tollgate.plugin.anthropic;

import static dev.tollgate.plugin.anthropic.TestSupport.KEY;
import static dev.tollgate.plugin.anthropic.TestSupport.adapter;
import static dev.tollgate.plugin.anthropic.TestSupport.fixture;
import static dev.tollgate.plugin.anthropic.TestSupport.openAi;
import static dev.tollgate.plugin.anthropic.TestSupport.passThrough;
import static dev.tollgate.plugin.anthropic.TestSupport.translated;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every documented Anthropic error, as an HTTP status and as a stream's error event, mapped for the kernel. */
class ErrorMappingTest {

    private static final String CHAT = "{\"model\":\"claude-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static GatewayException failure(int status, String body) {
        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(), translated(openAi(CHAT)),
                ScriptedUpstreamHttp.always(Reply.json(status, body).withHeader("retry-after", "17")));
        assertThat(sink.kind()).isEqualTo(RecordingResponseSink.Kind.FAILED);
        return sink.error();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "400, invalid_request_error, 400, UPSTREAM_CLIENT, invalid_request_error",
            "401, authentication_error, 502, UPSTREAM_SERVER, upstream_auth_failed",
            "402, billing_error, 502, UPSTREAM_SERVER, upstream_auth_failed",
            "403, permission_error, 502, UPSTREAM_SERVER, upstream_auth_failed",
            "404, not_found_error, 404, UPSTREAM_CLIENT, not_found_error",
            "413, request_too_large, 413, UPSTREAM_CLIENT, request_too_large",
            "429, rate_limit_error, 429, RATE_LIMITED, rate_limit_error",
            "500, api_error, 502, UPSTREAM_SERVER, upstream_error",
            "529, overloaded_error, 503, UPSTREAM_SERVER, upstream_overloaded"})
    void eachErrorTypeGetsItsStatusTypeAndCode(int status, String type, int gatewayStatus, ErrorType errorType, String code) {
        GatewayException e = failure(status, fixture("error." + type + ".json"));

        assertThat(e.status()).isEqualTo(gatewayStatus);
        assertThat(e.type()).isEqualTo(errorType);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.reason()).isEqualTo(FailureReason.UNSPECIFIED);
        if (errorType == ErrorType.UPSTREAM_CLIENT || errorType == ErrorType.RATE_LIMITED) {
            assertThat(e.getMessage()).as("the provider's message reaches the client").isNotBlank()
                    .isEqualTo(message(fixture("error." + type + ".json")));
        }
        if (status == 401 || status == 402 || status == 403) {
            assertThat(e.getMessage()).as("the credential problem is the gateway's, not the client's").doesNotContain("x-api-key");
        }
    }

    private static String message(String errorBody) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(errorBody).path("error").path("message").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rateLimitsKeepRetryAfterAndAreRetryable() {
        GatewayException e = failure(429, fixture("error.rate_limit_error.json"));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(17));
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void overloadedAndServerErrorsMayBeRetriedOrFallenBackFrom() {
        assertThat(failure(529, fixture("error.overloaded_error.json")).retryable()).isTrue();
        assertThat(failure(500, fixture("error.api_error.json")).fallbackAllowed()).isTrue();
    }

    @Test
    void aPromptTooLongIsTheContextWindowReason() {
        GatewayException e = failure(400, fixture("error.prompt_too_long.json"));

        assertThat(e.reason()).isEqualTo(FailureReason.CONTEXT_WINDOW_EXCEEDED);
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.getMessage()).isEqualTo("prompt is too long: 208315 tokens > 200000 maximum");
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
    }

    @Test
    void timeoutsAreTimeouts() {
        GatewayException e = failure(504, "{\"type\":\"error\",\"error\":{\"type\":\"timeout_error\",\"message\":\"Request timed out\"}}");

        assertThat(e.status()).isEqualTo(504);
        assertThat(e.reason()).isEqualTo(FailureReason.TIMEOUT);
    }

    @Test
    void anUnreadableErrorBodyStillMapsByStatus() {
        GatewayException e = failure(502, "<html><body>bad gateway</body></html>");

        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("upstream_error");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "invalid_request_error, 400, invalid_request_error",
            "not_found_error, 404, not_found_error",
            "request_too_large, 413, request_too_large",
            "authentication_error, 502, upstream_auth_failed",
            "permission_error, 502, upstream_auth_failed",
            "rate_limit_error, 429, rate_limit_error",
            "api_error, 502, upstream_error",
            "overloaded_error, 503, upstream_overloaded",
            "some_future_error, 502, upstream_error"})
    void streamErrorEventsMapByTheirType(String type, int status, String code) {
        String sse = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"m\"}}\n\n";
        RecordingStreamSink sink = TestSupport.stream(adapter(), passThrough("{\"model\":\"claude-sonnet\",\"stream\":true}", true,
                Headers.EMPTY), ScriptedUpstreamHttp.always(Reply.eventStream(TestSupport.split(sse, 1 << 20))));

        assertThat(sink.nativeEvents()).isEmpty();
        assertThat(sink.error().status()).isEqualTo(status);
        assertThat(sink.error().code()).isEqualTo(code);
    }

    @Test
    void aKeyTheProviderEchoesIsRedactedFromEveryMessage() {
        String echoed = "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad header x-api-key: " + KEY + "\"}}";
        GatewayException rejected = failure(400, echoed);
        GatewayException failed = failure(500, echoed.replace("invalid_request_error", "api_error"));

        assertThat(rejected.getMessage()).doesNotContain(KEY).contains("***");
        assertThat(failed.getMessage()).doesNotContain(KEY).contains("***");
    }
}
