package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.JsonReader;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Bedrock's errors as {@link GatewayException}s. An HTTP error names its type in the
 * {@code x-amzn-ErrorType} header (anything after a {@code :} is a namespace) and its message in a
 * {@code {"message": ...}} body; an exception inside a stream names it in {@code :exception-type}.
 *
 * <pre>
 * Bedrock                                         gateway  type             code
 * ValidationException 400                         400      UPSTREAM_CLIENT  validation_exception
 *   "Input is too long", "prompt is too long"…    400      UPSTREAM_CLIENT  context_length_exceeded (CONTEXT_WINDOW_EXCEEDED)
 * AccessDenied, UnrecognizedClient, signature     502      UPSTREAM_SERVER  upstream_auth_failed (message only in the log)
 *   and expired-token exceptions 401/403
 * ResourceNotFoundException 404                   404      UPSTREAM_CLIENT  model_not_found
 * ThrottlingException 429, ServiceQuotaExceeded   429      RATE_LIMITED     rate_limit_exceeded, Retry-After kept
 * ModelTimeoutException 408, 504                  504      UPSTREAM_SERVER  upstream_timeout (TIMEOUT)
 * ServiceUnavailableException 503, ModelNotReady  503      UPSTREAM_SERVER  upstream_overloaded
 * InternalServerException 500, ModelError 424,    502      UPSTREAM_SERVER  upstream_error
 *   modelStreamErrorException, anything else
 * </pre>
 */
final class ErrorMapping {

    static final int MAX_ERROR_BODY = 64 * 1024;
    static final int MAX_ECHOED_SERVER_MESSAGE = 500;

    private ErrorMapping() {}

    /** What Bedrock said: its error type (without namespace, lower case, without the {@code exception} suffix) and message. */
    record UpstreamError(String type, String message) {}

    /** An HTTP error response. */
    static GatewayException map(int status, Headers headers, byte[] body, int length) {
        String type = headers.first("x-amzn-errortype").map(v -> {
            int colon = v.indexOf(':');
            return colon < 0 ? v : v.substring(0, colon);
        }).orElse(null);
        return map(status, type, message(body, length), headers);
    }

    /** An {@code exception} message in a stream (its HTTP status was 200). */
    static GatewayException streamException(String exceptionType, byte[] payload) {
        return map(0, exceptionType, message(payload, payload.length), Headers.EMPTY);
    }

    private static GatewayException map(int status, String rawType, String message, Headers headers) {
        String type = normalise(rawType);
        String shown = rawType == null || rawType.isBlank() ? null : rawType.trim();
        if (type != null) {
            switch (type) {
                case "validation" -> {
                    return rejected(status == 0 ? 400 : status, "validation_exception", message);
                }
                case "accessdenied", "unrecognizedclient", "invalidsignature", "expiredtoken", "incompletesignature",
                        "missingauthenticationtoken", "invalidclienttokenid" -> {
                    return authFailed(status, shown, message);
                }
                case "resourcenotfound" -> {
                    return rejected(404, "model_not_found", message);
                }
                case "throttling", "servicequotaexceeded", "toomanyrequests" -> {
                    return rateLimited(headers, message);
                }
                case "modeltimeout" -> {
                    return timeout();
                }
                case "serviceunavailable", "modelnotready" -> {
                    return overloaded(message);
                }
                case "internalserver", "modelerror", "modelstreamerror" -> {
                    return failed("the provider failed (" + shown + ")", message);
                }
                default -> { }
            }
        }
        return switch (status) {
            case 400, 404, 409, 413, 415, 422 -> rejected(status, "upstream_invalid_request", message);
            case 401, 403 -> authFailed(status, shown, message);
            case 408, 504 -> timeout();
            case 429 -> rateLimited(headers, message);
            case 503 -> overloaded(message);
            case 0 -> failed("the provider reported an error in the stream" + (shown == null ? "" : " (" + shown + ")"), message);
            default -> failed("the provider failed (HTTP " + status + ")", message);
        };
    }

    static GatewayException malformed(Throwable cause) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_malformed_response")
                .message("the provider returned a malformed response").cause(cause).build();
    }

    static GatewayException truncated() {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_stream_truncated")
                .message("the provider's stream ended before the answer was complete").build();
    }

    private static GatewayException rejected(int status, String code, String message) {
        String m = message != null && !message.isBlank() ? message : "the provider rejected the request (HTTP " + status + ")";
        FailureReason reason = reason(m);
        return GatewayException.builder(ErrorType.UPSTREAM_CLIENT, status, reason == FailureReason.CONTEXT_WINDOW_EXCEEDED
                ? "context_length_exceeded" : code).message(m).reason(reason).build();
    }

    /** Bedrock names no code for these; its messages (and those of the models it relays) are stable enough to read. */
    static FailureReason reason(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("input is too long") || m.contains("prompt is too long") || m.contains("too many input tokens")
                || m.contains("context window") || m.contains("context length")) {
            return FailureReason.CONTEXT_WINDOW_EXCEEDED;
        }
        if (m.contains("content filtering") || m.contains("guardrail")) {
            return FailureReason.CONTENT_POLICY;
        }
        return FailureReason.UNSPECIFIED;
    }

    /** Our credentials or model access were refused: the client is not at fault; AWS's message goes to the log only. */
    private static GatewayException authFailed(int status, String type, String message) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_auth_failed")
                .message("the provider rejected the gateway's credentials or model access ("
                        + (type == null ? "" : type + ", ") + "HTTP " + (status == 0 ? 403 : status) + ")")
                .cause(message == null ? null : new UpstreamDetail(message))
                .build();
    }

    private static GatewayException timeout() {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout").message("the provider timed out")
                .reason(FailureReason.TIMEOUT).build();
    }

    private static GatewayException rateLimited(Headers headers, String message) {
        return GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded")
                .message(message != null && !message.isBlank() ? message : "the provider's rate limit was exceeded")
                .retryAfter(retryAfter(headers).orElse(null)).build();
    }

    private static GatewayException overloaded(String message) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "upstream_overloaded")
                .message(message != null && !message.isBlank() ? message : "the provider is unavailable").retryable(true).build();
    }

    private static GatewayException failed(String text, String message) {
        if (message != null && !message.isBlank() && message.length() < MAX_ECHOED_SERVER_MESSAGE) {
            text += ": " + message;
        }
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_error").message(text).build();
    }

    /** {@code Retry-After} in whole or decimal seconds. */
    private static Optional<Duration> retryAfter(Headers headers) {
        return headers.first("retry-after").flatMap(v -> {
            try {
                double s = Double.parseDouble(v.trim());
                return s >= 0 && s < 1e9 ? Optional.of(Duration.ofMillis((long) Math.ceil(s * 1000))) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static String normalise(String type) {
        if (type == null || type.isBlank()) {
            return null;
        }
        String t = type.trim().toLowerCase(Locale.ROOT);
        return t.endsWith("exception") ? t.substring(0, t.length() - "exception".length()) : t;
    }

    /** The {@code message} (or {@code Message}) of an error document, or {@code null}. */
    static String message(byte[] body, int length) {
        if (length == 0) {
            return null;
        }
        try (JsonReader r = JsonReader.of(body, 0, Math.min(length, MAX_ERROR_BODY))) {
            r.rootObject("an error");
            String found = null;
            String f;
            while ((f = r.nextField()) != null) {
                if ((f.equals("message") || f.equals("Message")) && r.isString()) {
                    found = r.string(f);
                } else {
                    r.skip();
                }
            }
            return found;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** AWS's own words about a refused credential, kept for the log (the kernel logs causes, never sends them). */
    static final class UpstreamDetail extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UpstreamDetail(String message) {
            super("AWS said: " + message, null, false, false);
        }
    }
}
