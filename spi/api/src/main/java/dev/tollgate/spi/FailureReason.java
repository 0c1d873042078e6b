package dev.tollgate.spi;

/**
 * What kind of failure a {@link GatewayException} is, beyond {@link ErrorType} (who is at fault).
 * Fallback policies decide on it: a prompt too long for one model may fit a larger one; a content
 * policy refusal is normally final. Constants may be added in minor versions.
 */
public enum FailureReason {
    /** Nothing more specific is known. */
    UNSPECIFIED,
    /** The prompt plus the requested output do not fit the model's context window. */
    CONTEXT_WINDOW_EXCEEDED,
    /** The provider refused the request or its output for content-policy reasons. */
    CONTENT_POLICY,
    /** A deadline passed: connecting, the first token, between events, or the whole attempt. */
    TIMEOUT
}
