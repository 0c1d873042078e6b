package dev.tollgate.spi.provider;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;

/**
 * Where a streaming adapter delivers a stream, in the canonical chunk format: the JSON of one
 * OpenAI {@code chat.completion.chunk}, without SSE framing (the kernel writes {@code data: } and
 * the final {@code [DONE]}).
 *
 * <p>Call it only on the call's thread (the thread of the adapter's callbacks). The stream is
 * committed to the client at the first {@link #chunk}: an {@link #error} before that becomes an
 * ordinary error response (and lets the kernel fall back); after it, a protocol-correct error event
 * that ends the stream. After {@link #complete} or {@link #error} further calls are ignored.
 */
public interface ChunkSink {

    /** One chunk, forwarded to the client and flushed at once. */
    void chunk(Bytes json);

    /**
     * The usage of the call, reported at most once, before {@link #complete} or {@link #error}
     * (an upstream that repeats usage on every chunk is reported with its last value). {@code usageChunk}, the chunk that carried it (or {@code null} when
     * it came with no chunk of its own), is forwarded only when the client asked for usage.
     */
    void usage(Usage usage, Bytes usageChunk);

    /** The upstream stream ended normally. */
    void complete();

    /** The stream failed. */
    void error(GatewayException error);
}
