package dev.tollgate.spi;

/**
 * Who is at fault for a failure, which decides the client-facing status family, whether a retry
 * may help and whether another deployment may be tried.
 */
public enum ErrorType {
    /** The client's request is wrong (bad JSON, unknown model, too large). Never retried. */
    CLIENT(false, false),
    /** The provider rejected the request as invalid (upstream 400/404/422). Another deployment would too. */
    UPSTREAM_CLIENT(false, false),
    /** The provider failed or could not be reached (5xx, timeout, reset, bad credentials of ours). */
    UPSTREAM_SERVER(true, true),
    /** A limit was hit, here or at the provider. */
    RATE_LIMITED(true, true),
    /** A budget is exhausted. */
    BUDGET(false, false),
    /** A bug or an unexpected state inside the gateway or a plugin. */
    INTERNAL(false, false);

    private final boolean retryableByDefault;
    private final boolean fallbackAllowedByDefault;

    ErrorType(boolean retryableByDefault, boolean fallbackAllowedByDefault) {
        this.retryableByDefault = retryableByDefault;
        this.fallbackAllowedByDefault = fallbackAllowedByDefault;
    }

    public boolean retryableByDefault() {
        return retryableByDefault;
    }

    public boolean fallbackAllowedByDefault() {
        return fallbackAllowedByDefault;
    }
}
