package dev.tollgate.kernel.server;

import java.io.IOException;

/** A read that cannot go on: the request body broke its framing, stalled, or the gateway is shutting down. */
final class FramingException extends IOException {

    private final transient Rejection rejection;

    FramingException(Rejection rejection) {
        super(rejection.message());
        this.rejection = rejection;
    }

    /** Thrown often by design (a timed-out or malformed body): no stack trace to fill. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    Rejection rejection() {
        return rejection;
    }
}
