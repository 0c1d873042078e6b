package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns an upstream's HTTP error into the gateway's {@link GatewayException}.
 *
 * <pre>
 * upstream                        gateway status  type             code
 * 400 404 409 413 415 422         same            UPSTREAM_CLIENT  upstream code | type | upstream_invalid_request
 *                                                                  (reason: context window, content policy)
 * 401 403                         502             UPSTREAM_SERVER  upstream_auth_failed (body never echoed)
 * 408                             504             UPSTREAM_SERVER  upstream_timeout
 * 429                             429             RATE_LIMITED     upstream code | rate_limit_exceeded, retryAfter
 * other 4xx, 5xx, anything else   502             UPSTREAM_SERVER  upstream_error
 * </pre>
 *
 * Every message passes through {@link OpenAiConfig#redact} before it leaves.
 */
final class ErrorMapping {

    static final int MAX_ECHOED_SERVER_MESSAGE = 500;

    private final OpenAiConfig config;
    private final Clock clock;

    ErrorMapping(OpenAiConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    GatewayException map(int status, Headers headers, Bytes body) {
        return switch (status) {
            case 400, 404, 409, 413, 415, 422 -> rejected(status, UpstreamError.parse(body));
            case 401, 403 -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_auth_failed")
                    .message("the provider rejected the gateway's credentials")
                    .build();
            case 408, 504 -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout")
                    .message("the provider timed out (HTTP " + status + ")")
                    .reason(FailureReason.TIMEOUT)
                    .build();
            case 429 -> rateLimited(headers, UpstreamError.parse(body));
            default -> failed(status, UpstreamError.parse(body));
        };
    }

    static GatewayException malformed(Throwable cause) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_malformed_response")
                .message("the provider returned a malformed response")
                .cause(cause)
                .build();
    }

    GatewayException streamError(UpstreamError error) {
        String message = error.message() != null && !error.message().isBlank()
                ? error.message()
                : "the provider reported an error in the stream";
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_stream_error")
                .message(config.redact(message))
                .build();
    }

    static GatewayException truncated() {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_stream_truncated")
                .message("the provider's stream ended before the answer was complete")
                .build();
    }

    private GatewayException rejected(int status, UpstreamError error) {
        String code = error.codeOrType();
        return GatewayException.builder(ErrorType.UPSTREAM_CLIENT, status,
                        config.redact(code != null ? code : "upstream_invalid_request"))
                .param(config.redact(error.param()))
                .message(config.redact(messageOr(error, "the provider rejected the request (HTTP " + status + ")")))
                .reason(reason(code, error.message()))
                .build();
    }

    /**
     * What fallback policies decide on: OpenAI's and Azure's codes, and the message OpenAI-compatible
     * servers (vLLM) send without a code for a prompt too long.
     */
    private static FailureReason reason(String code, String message) {
        if ("context_length_exceeded".equals(code)
                || message != null && message.toLowerCase(Locale.ROOT).contains("maximum context length")) {
            return FailureReason.CONTEXT_WINDOW_EXCEEDED;
        }
        if ("content_policy_violation".equals(code) || "content_filter".equals(code)) {
            return FailureReason.CONTENT_POLICY;
        }
        return FailureReason.UNSPECIFIED;
    }

    private GatewayException rateLimited(Headers headers, UpstreamError error) {
        String code = error.codeOrType();
        if (code == null || code.equals("requests") || code.equals("tokens")) {
            code = "rate_limit_exceeded";
        }
        return GatewayException.builder(ErrorType.RATE_LIMITED, 429, config.redact(code))
                .message(config.redact(messageOr(error, "the provider's rate limit was exceeded")))
                .retryable(!code.equals("insufficient_quota"))
                .retryAfter(retryAfter(headers).orElse(null))
                .build();
    }

    private GatewayException failed(int status, UpstreamError error) {
        String message = "the provider failed (HTTP " + status + ")";
        String upstream = error.message();
        if (upstream != null && !upstream.isBlank() && upstream.length() < MAX_ECHOED_SERVER_MESSAGE) {
            message += ": " + upstream;
        }
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_error")
                .message(config.redact(message))
                .build();
    }

    private static String messageOr(UpstreamError error, String fallback) {
        return error.message() != null && !error.message().isBlank() ? error.message() : fallback;
    }

    /** From {@code retry-after-ms}, else {@code Retry-After} as delta-seconds or an HTTP-date. */
    Optional<Duration> retryAfter(Headers headers) {
        Optional<Duration> ms = headers.first("retry-after-ms").flatMap(v -> decimal(v, 1));
        if (ms.isPresent()) {
            return ms;
        }
        return headers.first("retry-after").flatMap(v -> decimal(v, 1000).or(() -> httpDate(v)));
    }

    private static Optional<Duration> decimal(String value, long millisPerUnit) {
        try {
            BigDecimal n = new BigDecimal(value.trim());
            if (n.signum() < 0 || n.precision() - n.scale() > 12) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis(
                    n.multiply(BigDecimal.valueOf(millisPerUnit)).setScale(0, RoundingMode.CEILING).longValueExact()));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private Optional<Duration> httpDate(String value) {
        try {
            Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(clock.instant(), at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
