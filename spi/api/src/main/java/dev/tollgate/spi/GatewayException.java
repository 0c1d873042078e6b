package dev.tollgate.spi;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.http.Headers;
import java.time.Duration;
import java.util.Optional;

/**
 * The one exception type of the gateway. The kernel turns it into the client's error format
 * (OpenAI {@code {"error":{"message","type","param","code"}}}, Anthropic
 * {@code {"type":"error","error":{"type","message"}}}) with {@link #status()} as the HTTP status
 * and {@link #headers()} added to the response. The message reaches the client verbatim, so it must
 * never contain a secret or a stack trace; {@link #getCause()} is logged (scrubbed), never sent.
 */
public final class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorType type;
    private final int status;
    private final String code;
    private final String param;
    private final boolean retryable;
    private final boolean fallbackAllowed;
    private final Duration retryAfter;
    private final FailureReason reason;
    private final Headers headers;

    private GatewayException(Builder b) {
        super(b.message, b.cause, false, b.cause != null);
        this.type = b.type;
        this.status = b.status;
        this.code = b.code;
        this.param = b.param;
        this.retryable = b.retryable;
        this.fallbackAllowed = b.fallbackAllowed;
        this.retryAfter = b.retryAfter;
        this.reason = b.reason;
        this.headers = b.headers.build();
    }

    /**
     * Starts an exception of {@code type} answered with HTTP {@code status} and a machine-readable
     * {@code code} (for example {@code model_not_found}); retry and fallback flags default from the type.
     */
    public static Builder builder(ErrorType type, int status, String code) {
        return new Builder(type, status, code);
    }

    /** 400 for a field of the client's request; {@code param} names the field. */
    public static GatewayException invalidRequest(String param, String message) {
        return builder(ErrorType.CLIENT, 400, "invalid_request").param(param).message(message).build();
    }

    /** An internal failure; the client sees {@code message}, the log sees {@code cause}. */
    public static GatewayException internal(String message, Throwable cause) {
        return builder(ErrorType.INTERNAL, 500, "internal_error").message(message).cause(cause).build();
    }

    public ErrorType type() {
        return type;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The request field at fault, when there is one. */
    public Optional<String> param() {
        return Optional.ofNullable(param);
    }

    /** Whether the same deployment may be tried again. */
    public boolean retryable() {
        return retryable;
    }

    /** Whether another deployment may be tried. */
    public boolean fallbackAllowed() {
        return fallbackAllowed;
    }

    /** How long the client should wait, sent as {@code Retry-After}. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** What kind of failure this is, beyond who is at fault; fallback policies decide on it. */
    public FailureReason reason() {
        return reason;
    }

    /** Headers for the error response (for example {@code x-ratelimit-*} on a 429); hop-by-hop and framing headers are ignored. */
    public Headers headers() {
        return headers;
    }

    /** Builds {@link GatewayException}s. */
    public static final class Builder {
        private final ErrorType type;
        private final int status;
        private final String code;
        private String message;
        private String param;
        private Throwable cause;
        private boolean retryable;
        private boolean fallbackAllowed;
        private Duration retryAfter;
        private FailureReason reason = FailureReason.UNSPECIFIED;
        private final Headers.Builder headers = Headers.builder();

        private Builder(ErrorType type, int status, String code) {
            this.type = requireNonNull(type, "type is null");
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be 4xx or 5xx: " + status);
            }
            this.status = status;
            this.code = requireNonNull(code, "code is null");
            this.message = code;
            this.retryable = type.retryableByDefault();
            this.fallbackAllowed = type.fallbackAllowedByDefault();
        }

        public Builder message(String message) {
            this.message = requireNonNull(message, "message is null");
            return this;
        }

        public Builder param(String param) {
            this.param = param;
            return this;
        }

        public Builder cause(Throwable cause) {
            this.cause = cause;
            return this;
        }

        public Builder retryable(boolean retryable) {
            this.retryable = retryable;
            return this;
        }

        public Builder fallbackAllowed(boolean fallbackAllowed) {
            this.fallbackAllowed = fallbackAllowed;
            return this;
        }

        public Builder retryAfter(Duration retryAfter) {
            if (retryAfter != null && retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter is negative");
            }
            this.retryAfter = retryAfter;
            return this;
        }

        public Builder reason(FailureReason reason) {
            this.reason = requireNonNull(reason, "reason is null");
            return this;
        }

        /** Adds a header to the error response. */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        public GatewayException build() {
            return new GatewayException(this);
        }
    }
}
