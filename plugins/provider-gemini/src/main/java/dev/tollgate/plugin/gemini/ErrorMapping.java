package dev.tollgate.plugin.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import java.io.IOException;
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
 * Gemini's errors ({@code {"error":{"code","message","status","details"}}}, Google's RPC status) as
 * {@link GatewayException}s, which the kernel renders in the client's own API.
 *
 * <pre>
 * Gemini                                  gateway status  type             code
 * 400 INVALID_ARGUMENT, FAILED_PRECONDITION  400          UPSTREAM_CLIENT  invalid_argument, failed_precondition
 *     "input token count ... exceeds"        400          UPSTREAM_CLIENT  context_length_exceeded (CONTEXT_WINDOW_EXCEEDED)
 *     API_KEY_INVALID (a 400 at Gemini)       502          UPSTREAM_SERVER  upstream_auth_failed (message not echoed)
 * 401 UNAUTHENTICATED, 403 PERMISSION_DENIED 502          UPSTREAM_SERVER  upstream_auth_failed (message not echoed)
 * 404 NOT_FOUND                              404          UPSTREAM_CLIENT  not_found
 * 429 RESOURCE_EXHAUSTED                     429          RATE_LIMITED     rate_limit_exceeded; Retry-After or RetryInfo.retryDelay kept
 * 500 INTERNAL, anything else                502          UPSTREAM_SERVER  upstream_error
 * 503 UNAVAILABLE                            503          UPSTREAM_SERVER  upstream_overloaded, retryable
 * 504 DEADLINE_EXCEEDED                      504          UPSTREAM_SERVER  upstream_timeout (TIMEOUT)
 * a prompt blocked (promptFeedback)          400          UPSTREAM_CLIENT  content_policy_violation (CONTENT_POLICY)
 * </pre>
 *
 * Every message passes through {@link GeminiConfig#redact} before it leaves.
 */
final class ErrorMapping {

    static final int MAX_ERROR_BODY = 64 * 1024;
    static final int MAX_ECHOED_SERVER_MESSAGE = 500;

    private final GeminiConfig config;
    private final Clock clock;

    ErrorMapping(GeminiConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** What Gemini said about a failure. Any field may be {@code null}. */
    record UpstreamError(String status, String message, String reason, Duration retryDelay) {
        static final UpstreamError NONE = new UpstreamError(null, null, null, null);

        static UpstreamError parse(byte[] body, int length) {
            if (length == 0) {
                return NONE;
            }
            try {
                JsonNode root = Json.MAPPER.readTree(Json.FACTORY.createParser(body, 0, length));
                if (root == null) {
                    return NONE;
                }
                // streamGenerateContent without alt=sse wraps errors in an array; accept both
                JsonNode error = (root.isArray() ? root.path(0) : root).path("error");
                return error.isObject() ? of(error) : NONE;
            } catch (IOException | RuntimeException e) {
                return NONE;
            }
        }

        static UpstreamError of(JsonNode error) {
            String reason = null;
            Duration delay = null;
            for (JsonNode d : error.path("details")) {
                String type = d.path("@type").asText("");
                if (type.endsWith("google.rpc.ErrorInfo")) {
                    reason = GeminiAnswers.text(d, "reason");
                } else if (type.endsWith("google.rpc.RetryInfo")) {
                    delay = protoDuration(GeminiAnswers.text(d, "retryDelay"));
                }
            }
            return new UpstreamError(GeminiAnswers.text(error, "status"), GeminiAnswers.text(error, "message"), reason, delay);
        }

        /** A protobuf JSON duration, {@code "37s"} or {@code "1.5s"}. */
        static Duration protoDuration(String s) {
            if (s == null || !s.endsWith("s")) {
                return null;
            }
            return seconds(s.substring(0, s.length() - 1)).orElse(null);
        }
    }

    GatewayException map(int status, Headers headers, UpstreamError error) {
        String s = error.status() == null ? "" : error.status();
        if ("API_KEY_INVALID".equals(error.reason()) || status == 401 || status == 403 || s.equals("UNAUTHENTICATED")
                || s.equals("PERMISSION_DENIED")) {
            return authFailed(status);
        }
        return switch (status) {
            case 400, 404, 409, 413, 422 -> rejected(status, error);
            case 408, 504 -> timeout();
            case 429 -> rateLimited(headers, error);
            case 503 -> overloaded(error);
            default -> status >= 400 && status < 500 ? rejected(status, error) : failed("the provider failed (HTTP " + status + ")", error);
        };
    }

    /** An error object inside a stream (its HTTP status was 200): mapped by its status name. */
    GatewayException streamError(UpstreamError error) {
        int status = switch (error.status() == null ? "" : error.status()) {
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> 400;
            case "UNAUTHENTICATED" -> 401;
            case "PERMISSION_DENIED" -> 403;
            case "NOT_FOUND" -> 404;
            case "RESOURCE_EXHAUSTED" -> 429;
            case "UNAVAILABLE" -> 503;
            case "DEADLINE_EXCEEDED" -> 504;
            default -> 500;
        };
        return map(status, Headers.EMPTY, error);
    }

    /** The prompt was blocked ({@code promptFeedback.blockReason}): refused for content policy, not worth another deployment of Gemini. */
    static GatewayException blocked(String blockReason) {
        return GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "content_policy_violation")
                .message("the provider blocked the prompt (" + blockReason + ")")
                .reason(FailureReason.CONTENT_POLICY)
                .build();
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
        String m = message.toLowerCase(Locale.ROOT);
        boolean tooLong = m.contains("exceeds the maximum number of tokens") || m.contains("input token count")
                || m.contains("context window");
        String code = tooLong ? "context_length_exceeded"
                : status == 404 ? "not_found"
                : error.status() != null && !error.status().isBlank() ? error.status().toLowerCase(Locale.ROOT) : "upstream_invalid_request";
        return GatewayException.builder(ErrorType.UPSTREAM_CLIENT, status, config.redact(code))
                .message(config.redact(message))
                .reason(tooLong ? FailureReason.CONTEXT_WINDOW_EXCEEDED : FailureReason.UNSPECIFIED)
                .build();
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
        Duration after = retryAfter(headers).orElse(error.retryDelay());
        return GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded")
                .message(config.redact(messageOr(error, "the provider's rate limit or quota was exceeded")))
                .retryAfter(after)
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

    /** {@code Retry-After} as delta-seconds or an HTTP-date. */
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
