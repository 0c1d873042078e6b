package dev.tollgate.plugin.bedrock;

import static dev.tollgate.plugin.bedrock.TestSupport.adapter;
import static dev.tollgate.plugin.bedrock.TestSupport.answer;
import static dev.tollgate.plugin.bedrock.TestSupport.fixture;
import static dev.tollgate.plugin.bedrock.TestSupport.openAi;
import static dev.tollgate.plugin.bedrock.TestSupport.translated;
import static dev.tollgate.plugin.bedrock.TestSupport.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorMappingTest {

    private static GatewayException httpError(int status, String type, String fixture, String... extraHeaders) {
        Headers.Builder h = Headers.builder().add("content-type", "application/json").add("x-amzn-ErrorType", type);
        for (int i = 0; i < extraHeaders.length; i += 2) {
            h.add(extraHeaders[i], extraHeaders[i + 1]);
        }
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.of(status, h.build(), fixture(fixture).getBytes(StandardCharsets.UTF_8)));
        RecordingResponseSink<ChatResponse> sink = answer(adapter(withKey()),
                translated(openAi("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")), http);
        assertThat(sink.kind()).isEqualTo(RecordingResponseSink.Kind.FAILED);
        return sink.error();
    }

    @ParameterizedTest
    @CsvSource({
        "400, ValidationException,          error.ValidationException.json,          400, UPSTREAM_CLIENT, validation_exception",
        "400, ValidationException,          error.context_window.json,               400, UPSTREAM_CLIENT, context_length_exceeded",
        "403, AccessDeniedException,        error.AccessDeniedException.json,        502, UPSTREAM_SERVER, upstream_auth_failed",
        "404, ResourceNotFoundException,    error.ResourceNotFoundException.json,    404, UPSTREAM_CLIENT, model_not_found",
        "429, ThrottlingException,          error.ThrottlingException.json,          429, RATE_LIMITED,    rate_limit_exceeded",
        "503, ServiceUnavailableException,  error.ServiceUnavailableException.json,  503, UPSTREAM_SERVER, upstream_overloaded",
        "408, ModelTimeoutException,        error.ModelTimeoutException.json,        504, UPSTREAM_SERVER, upstream_timeout",
        "500, InternalServerException,      error.InternalServerException.json,      502, UPSTREAM_SERVER, upstream_error",
    })
    void eachErrorTypeMaps(int status, String type, String fixture, int gatewayStatus, ErrorType errorType, String code) {
        GatewayException e = httpError(status, type + ":http://internal.amazon.com/coral/com.amazon.bedrock/", fixture);
        assertThat(e.status()).isEqualTo(gatewayStatus);
        assertThat(e.type()).isEqualTo(errorType);
        assertThat(e.code()).isEqualTo(code);
    }

    @Test
    void aPromptTooLongIsAContextWindowFailureAnotherModelMayFit() {
        GatewayException e = httpError(400, "ValidationException", "error.context_window.json");
        assertThat(e.reason()).isEqualTo(FailureReason.CONTEXT_WINDOW_EXCEEDED);
        assertThat(e.getMessage()).isEqualTo("Input is too long for requested model.");
    }

    @Test
    void aRefusedCredentialKeepsAwsWordsOutOfTheClientsMessageButInTheCause() {
        GatewayException e = httpError(403, "AccessDeniedException", "error.AccessDeniedException.json");
        assertThat(e.getMessage()).doesNotContain("access to the model").contains("AccessDeniedException");
        assertThat(e.getCause()).hasMessageContaining("You don't have access to the model");
        assertThat(e.fallbackAllowed()).isTrue();
    }

    @Test
    void throttlingKeepsRetryAfter() {
        GatewayException e = httpError(429, "ThrottlingException", "error.ThrottlingException.json", "retry-after", "3");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void withoutAnErrorTypeTheStatusDecides() {
        GatewayException e = ErrorMapping.map(503, Headers.EMPTY, new byte[0], 0);
        assertThat(e.code()).isEqualTo("upstream_overloaded");
        assertThat(ErrorMapping.map(418, Headers.EMPTY, "not json".getBytes(), 8).code()).isEqualTo("upstream_error");
    }

    @ParameterizedTest
    @CsvSource({"throttlingException, 429", "validationException, 400", "modelStreamErrorException, 502",
            "internalServerException, 502", "serviceUnavailableException, 503"})
    void streamExceptionsMapByTheirType(String type, int status) {
        GatewayException e = ErrorMapping.streamException(type, "{\"message\":\"boom\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(e.status()).isEqualTo(status);
    }
}
