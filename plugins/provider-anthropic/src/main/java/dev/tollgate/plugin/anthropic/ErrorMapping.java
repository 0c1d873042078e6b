package dev.tollgate.plugin.anthropic;

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
 * Anthropic's errors as the gateway's {@link GatewayException}s, which the kernel renders in the
 * client's own API (an Anthropic client gets Anthropic's error type back, an OpenAI client OpenAI's shape).
 *
 * <pre>
 * Anthropic                          gateway status  type             code
 * 400 invalid_request_error          400             UPSTREAM_CLIENT  invalid_request_error
 *     "prompt is too long"           400             UPSTREAM_CLIENT  context_length_exceeded (CONTEXT_WINDOW_EXCEEDED)
 * 401 authentication_error           502             UPSTREAM_SERVER  upstream_auth_failed (message not echoed)
 * 402 billing_error                  502             UPSTREAM_SERVER  upstream_auth_failed (message not echoed)
 * 403 permission_error               502             UPSTREAM_SERVER  upstream_auth_failed (message not echoed)
 * 404 not_found_error                404             UPSTREAM_CLIENT  not_found_error
 * 413 request_too_large              413             UPSTREAM_CLIENT  request_too_large
 * 429 rate_limit_error               429             RATE_LIMITED     rate_limit_error, Retry-After kept
 * 408, 504 timeout_error             504             UPSTREAM_SERVER  upstream_timeout (TIMEOUT)
 * 529 overloaded_error (and 503)     503             UPSTREAM_SERVER  upstream_overloaded (rendered overloaded_error)
 * 500 api_error, anything else       502             UPSTREAM_SERVER  upstream_error
 * </pre>
 *
 * An {@code error} event in a stream maps by its type the same way. Every message passes through
 * {@link AnthropicConfig#redact} before it leaves.
 */
final class ErrorMapping {

    static final int MAX_ECHOED_SERVER_MESSAGE = 500;

    private final AnthropicConfig config;
    private final Clock clock;

    ErrorMapping(AnthropicConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    GatewayException map(int status, Headers headers, UpstreamError error) {
        return switch (status) {
            case 400, 404, 409, 413, 415, 422 -> rejected(status, error);
            case 401, 402, 403 -> authFailed(status);
            case 408, 504 -> timeout();
            case 429 -> rateLimited(headers, error);
            case 503, 529 -> overloaded(error);
            default -> failed("the provider failed (HTTP " + status + ")", error);
        };
    }

    /** An {@code error} event inside a stream (its HTTP status was 200). */
    GatewayException streamError(UpstreamError error) {
        String type = error.type() == null ? "" : error.type();
        return switch (type) {
            case "invalid_request_error" -> rejected(400, error);
            case "not_found_error" -> rejected(404, error);
            case "request_too_large" -> rejected(413, error);
            case "authentication_error", "permission_error", "billing_error" -> authFailed(502);
            case "rate_limit_error" -> rateLimited(Headers.EMPTY, error);
            case "timeout_error" -> timeout();
            case "overloaded_error" -> overloaded(error);
            default -> failed("the provider reported an error in the stream", error);
        };
    }

    static GatewayException malformed(Throwable cause) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_malformed_response")
                .message("the provider returned a malformed response")
                .cause(cause)
                .build();
    }

    static GatewayException truncated() {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_stream_truncated")
                .message("the provider's stream ended before the answer was complete")
                .build();
    }

    private GatewayException rejected(int status, UpstreamError error) {
        String message = error.message() != null && !error.message().isBlank() ? error.message()
                : "the provider rejected the request (HTTP " + status + ")";
        FailureReason reason = reason(message);
        String code = reason == FailureReason.CONTEXT_WINDOW_EXCEEDED ? "context_length_exceeded"
                : error.type() != null && !error.type().isBlank() ? error.type() : "upstream_invalid_request";
        return GatewayException.builder(ErrorType.UPSTREAM_CLIENT, status, config.redact(code))
                .message(config.redact(message))
                .reason(reason)
                .build();
    }

    /** Anthropic names no code for these; its messages are stable enough to read. */
    private static FailureReason reason(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("prompt is too long") || m.contains("exceed context limit") || m.contains("context window")) {
            return FailureReason.CONTEXT_WINDOW_EXCEEDED;
        }
        if (m.contains("content filtering policy")) {
            return FailureReason.CONTENT_POLICY;
        }
        return FailureReason.UNSPECIFIED;
    }

    private static GatewayException authFailed(int status) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_auth_failed")
                .message("the provider rejected the gateway's credentials (HTTP " + status + ")")
                .build();
    }

    private static GatewayException timeout() {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout")
                .message("the provider timed out")
                .reason(FailureReason.TIMEOUT)
                .build();
    }

    private GatewayException rateLimited(Headers headers, UpstreamError error) {
        return GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_error")
                .message(config.redact(messageOr(error, "the provider's rate limit was exceeded")))
                .retryAfter(retryAfter(headers).orElse(null))
                .build();
    }

    private GatewayException overloaded(UpstreamError error) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "upstream_overloaded")
                .message(config.redact(messageOr(error, "the provider is overloaded")))
                .retryable(true)
                .build();
    }

    private GatewayException failed(String message, UpstreamError error) {
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

    /** {@code Retry-After} as delta-seconds (Anthropic sends these) or an HTTP-date. */
    Optional<Duration> retryAfter(Headers headers) {
        return headers.first("retry-after").flatMap(v -> seconds(v).or(() -> httpDate(v)));
    }

    private static Optional<Duration> seconds(String value) {
        try {
            BigDecimal n = new BigDecimal(value.trim());
            if (n.signum() < 0 || n.precision() - n.scale() > 12) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis(n.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact()));
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
