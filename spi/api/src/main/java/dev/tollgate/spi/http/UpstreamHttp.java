package dev.tollgate.spi.http;

import java.util.concurrent.CompletionStage;

/**
 * The kernel's outbound HTTP client: pooled keep-alive connections per origin, HTTP/2 where the
 * upstream offers it over TLS or where the request asks for {@link HttpProtocol#H2C_PRIOR_KNOWLEDGE},
 * non-blocking. Transport failures are reported as classified
 * {@link dev.tollgate.spi.GatewayException}s: connection refused or reset 502
 * ({@code upstream_unreachable}, {@code upstream_reset}), timeouts 504 ({@code upstream_timeout}),
 * no file descriptor left in the gateway for a new connection 503 ({@code gateway_overloaded}).
 * An HTTP error status is not a failure: it is returned like any response.
 */
public interface UpstreamHttp {

    /**
     * Sends {@code request} and buffers the whole response. The stage completes on the calling
     * request's I/O thread (or a kernel thread for calls that belong to no request).
     *
     * <p>Buffering is bounded: a response larger than the kernel's per-response limit
     * ({@code upstream.max_response_bytes}), or one that would take the bytes buffered by all
     * responses in flight past {@code upstream.max_buffered_response_bytes}, is cancelled (its
     * connection is not reused) and the stage fails with 502 {@code upstream_response_too_large}.
     * Use {@link #stream} for answers that may be larger.
     */
    CompletionStage<UpstreamResponse> send(UpstreamRequest request);

    /** Sends {@code request} and streams the response to {@code handler} as it arrives. */
    void stream(UpstreamRequest request, ResponseHandler handler);
}
