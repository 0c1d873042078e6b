package dev.tollgate.spi.provider;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.http.Headers;

/**
 * A complete, successful answer: a chat completion or an embeddings list.
 *
 * @param body    the response body in the client's format (OpenAI JSON), sent as is
 * @param usage   usage as the provider reported it, or {@link Usage#ZERO} when it reported none
 * @param headers extra response headers to pass to the client (for example the provider's own
 *                processing time); hop-by-hop and length headers are ignored
 */
public record ProviderResult(Bytes body, Usage usage, Headers headers) {

    public ProviderResult {
        requireNonNull(body, "body is null");
        requireNonNull(usage, "usage is null");
        requireNonNull(headers, "headers is null");
    }

    public static ProviderResult of(Bytes body, Usage usage) {
        return new ProviderResult(body, usage, Headers.EMPTY);
    }
}
