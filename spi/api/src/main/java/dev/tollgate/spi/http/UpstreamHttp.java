package dev.tollgate.spi.http;

import java.util.concurrent.CompletionStage;

/**
 * The kernel's outbound HTTP client: pooled keep-alive connections per origin, HTTP/2 where the
 * upstream offers it over TLS, non-blocking. Transport failures are reported as classified
 * {@link dev.tollgate.spi.GatewayException}s: connection refused or reset 502
 * ({@code upstream_unreachable}, {@code upstream_reset}), timeouts 504 ({@code upstream_timeout}).
 * An HTTP error status is not a failure: it is returned like any response.
 */
public interface UpstreamHttp {

    /**
     * Sends {@code request} and buffers the whole response. The stage completes on the calling
     * request's I/O thread (or a kernel thread for calls that belong to no request).
     */
    CompletionStage<UpstreamResponse> send(UpstreamRequest request);

    /** Sends {@code request} and streams the response to {@code handler} as it arrives. */
    void stream(UpstreamRequest request, ResponseHandler handler);
}
