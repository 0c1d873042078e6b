package dev.tollgate.spi.http;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import java.net.URI;
import java.time.Duration;

/**
 * An outbound HTTP request.
 *
 * <p>Four limits bound an exchange; each one that passes fails it with a 504
 * {@code upstream_timeout}. The connect, response and idle limits are phases and each is reset when
 * the next phase starts (the idle limit by every read), so an upstream that keeps sending a little
 * keeps those satisfied forever. The total limit is not reset by anything: it runs from the moment
 * the request is handed to the client (before any connection is made) until the last byte of the
 * response has arrived, retries on a fresh connection included, and it applies to streamed
 * responses too. {@link Duration#ZERO} means no total limit.
 *
 * @param method          {@code GET}, {@code POST}…
 * @param uri             absolute {@code http} or {@code https} URI
 * @param headers         request headers; {@code Host} and {@code Content-Length} are set by the client
 * @param body            the body, empty for none
 * @param connectTimeout  limit for establishing a new connection (pooled connections skip it)
 * @param responseTimeout limit from sending until the response headers arrive
 *                        (the time to first token for a stream)
 * @param idleTimeout     limit between two reads of the response body
 * @param totalTimeout    limit for the whole exchange, streamed or not; {@link Duration#ZERO} for none
 * @param protocol        how to talk to an {@code http} upstream; ignored for {@code https}, where
 *                        ALPN negotiates
 */
public record UpstreamRequest(
        String method,
        URI uri,
        Headers headers,
        Bytes body,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration idleTimeout,
        Duration totalTimeout,
        HttpProtocol protocol) {

    public UpstreamRequest {
        requireNonNull(method, "method is null");
        requireNonNull(uri, "uri is null");
        requireNonNull(headers, "headers is null");
        requireNonNull(body, "body is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(responseTimeout, "responseTimeout is null");
        requireNonNull(idleTimeout, "idleTimeout is null");
        requireNonNull(totalTimeout, "totalTimeout is null");
        requireNonNull(protocol, "protocol is null");
        if (totalTimeout.isNegative()) {
            throw new IllegalArgumentException("totalTimeout must not be negative: " + totalTimeout);
        }
        String scheme = uri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("uri must be http or https: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("uri has no host: " + uri);
        }
    }

    /** A request without a total limit, over HTTP/1.1 (or ALPN for {@code https}). */
    public UpstreamRequest(String method, URI uri, Headers headers, Bytes body, Duration connectTimeout,
            Duration responseTimeout, Duration idleTimeout) {
        this(method, uri, headers, body, connectTimeout, responseTimeout, idleTimeout, Duration.ZERO, HttpProtocol.HTTP_1_1);
    }

    /**
     * A POST of a JSON body with default timeouts (10 s connect, 600 s response and idle, no total
     * limit) over HTTP/1.1.
     */
    public static UpstreamRequest postJson(URI uri, Headers headers, Bytes body) {
        Headers h = headers.first("content-type").isPresent()
                ? headers
                : headers.toBuilder().add("Content-Type", "application/json").build();
        return new UpstreamRequest("POST", uri, h, body, Duration.ofSeconds(10), Duration.ofSeconds(600), Duration.ofSeconds(600));
    }

    /** The same request with other phase limits; the total limit and protocol are kept. */
    public UpstreamRequest withTimeouts(Duration connect, Duration response, Duration idle) {
        return new UpstreamRequest(method, uri, headers, body, connect, response, idle, totalTimeout, protocol);
    }

    /** The same request with another total limit ({@link Duration#ZERO} for none). */
    public UpstreamRequest withTotalTimeout(Duration total) {
        return new UpstreamRequest(method, uri, headers, body, connectTimeout, responseTimeout, idleTimeout, total, protocol);
    }

    /** The same request over another protocol. */
    public UpstreamRequest withProtocol(HttpProtocol newProtocol) {
        return new UpstreamRequest(method, uri, headers, body, connectTimeout, responseTimeout, idleTimeout, totalTimeout,
                newProtocol);
    }
}
