package dev.tollgate.spi.http;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import java.net.URI;
import java.time.Duration;

/**
 * An outbound HTTP request.
 *
 * @param method          {@code GET}, {@code POST}…
 * @param uri             absolute {@code http} or {@code https} URI
 * @param headers         request headers; {@code Host} and {@code Content-Length} are set by the client
 * @param body            the body, empty for none
 * @param connectTimeout  limit for establishing a new connection (pooled connections skip it)
 * @param responseTimeout limit from sending until the response headers arrive
 *                        (the time to first token for a stream)
 * @param idleTimeout     limit between two reads of the response body
 */
public record UpstreamRequest(
        String method,
        URI uri,
        Headers headers,
        Bytes body,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration idleTimeout) {

    public UpstreamRequest {
        requireNonNull(method, "method is null");
        requireNonNull(uri, "uri is null");
        requireNonNull(headers, "headers is null");
        requireNonNull(body, "body is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(responseTimeout, "responseTimeout is null");
        requireNonNull(idleTimeout, "idleTimeout is null");
        String scheme = uri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("uri must be http or https: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("uri has no host: " + uri);
        }
    }

    /** A POST of a JSON body with default timeouts (10 s connect, 600 s response and idle). */
    public static UpstreamRequest postJson(URI uri, Headers headers, Bytes body) {
        Headers h = headers.first("content-type").isPresent()
                ? headers
                : headers.toBuilder().add("Content-Type", "application/json").build();
        return new UpstreamRequest("POST", uri, h, body, Duration.ofSeconds(10), Duration.ofSeconds(600), Duration.ofSeconds(600));
    }

    public UpstreamRequest withTimeouts(Duration connect, Duration response, Duration idle) {
        return new UpstreamRequest(method, uri, headers, body, connect, response, idle);
    }
}
