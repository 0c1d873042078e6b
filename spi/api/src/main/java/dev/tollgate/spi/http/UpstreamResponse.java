package dev.tollgate.spi.http;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;

/** A complete, buffered HTTP response. */
public record UpstreamResponse(int status, Headers headers, Bytes body) {

    public UpstreamResponse {
        requireNonNull(headers, "headers is null");
        requireNonNull(body, "body is null");
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
