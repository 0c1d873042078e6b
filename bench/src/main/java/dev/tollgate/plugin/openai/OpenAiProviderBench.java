package dev.tollgate.plugin.openai;

import dev.tollgate.bench.jmh.Fixtures;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.Usage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The OpenAI provider's per-request work: the request rewrite for the upstream, the usage scan of
 * an answer, and the relay of a stream. In the plugin's package (in the bench module, not the
 * plugin) because these classes are package-private; it calls only their entry points, so that it
 * keeps compiling while their insides change.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class OpenAiProviderBench {

    static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";
    static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream; charset=utf-8");

    Bytes chatRequest;
    Bytes streamRequest;
    Bytes streamRequestWithOptions;
    Bytes chatResponse;
    Bytes usageChunk;
    ByteBuffer[] ssePieces;

    @Setup
    public void setup() {
        chatRequest = Bytes.utf8(Fixtures.CHAT_REQUEST);
        streamRequest = Bytes.utf8(Fixtures.STREAM_REQUEST);
        streamRequestWithOptions = Bytes.utf8(Fixtures.STREAM_REQUEST_WITH_OPTIONS);
        chatResponse = Bytes.utf8(Fixtures.CHAT_RESPONSE);
        usageChunk = Bytes.utf8(Fixtures.USAGE_CHUNK);
        ssePieces = Fixtures.pieces(Fixtures.utf8(Fixtures.SSE_STREAM), 1024);
    }

    /** Non-stream request: the model alias replaced by the upstream's model. */
    @Benchmark
    public Bytes rewriteChat() throws IOException {
        return RequestBodies.forUpstream(chatRequest, "gpt-4o-mini", UPSTREAM_MODEL,
                RequestBodies.StreamOptions.KEEP);
    }

    /** Stream request: model replaced, {@code stream_options.include_usage} added. */
    @Benchmark
    public Bytes rewriteStream() throws IOException {
        return RequestBodies.forUpstream(streamRequest, "gpt-4o-mini", UPSTREAM_MODEL,
                RequestBodies.StreamOptions.INCLUDE_USAGE);
    }

    /** Stream request whose client set {@code stream_options} itself: merged. */
    @Benchmark
    public Bytes rewriteStreamMergeOptions() throws IOException {
        return RequestBodies.forUpstream(streamRequestWithOptions, "gpt-4o-mini", UPSTREAM_MODEL,
                RequestBodies.StreamOptions.INCLUDE_USAGE);
    }

    /** Usage (and error, choices) of a non-stream answer. */
    @Benchmark
    public Object scanResponse() throws IOException {
        return ResponseScan.of(chatResponse);
    }

    /** Usage of a stream's usage chunk. */
    @Benchmark
    public Object scanUsageChunk() throws IOException {
        return ResponseScan.of(usageChunk);
    }

    /** The whole 20-event stream, in 1 KiB pieces, relayed to a sink: SSE split, finish and usage detection. */
    @Benchmark
    public void relayStream(Blackhole bh) {
        ChatStream s = new ChatStream(new Sink(bh), null); // the error mapping is only used on failures
        s.onHeaders(200, SSE_HEADERS);
        for (ByteBuffer b : ssePieces) {
            s.onBody(b.rewind());
        }
        s.onComplete();
    }

    /** Hands everything to the blackhole; the relay's output. */
    record Sink(Blackhole bh) implements ChunkSink {
        @Override
        public void chunk(Bytes json) {
            bh.consume(json);
        }

        @Override
        public void usage(Usage usage, Bytes chunk) {
            bh.consume(usage);
        }

        @Override
        public void complete() {
            bh.consume(true);
        }

        @Override
        public void error(GatewayException error) {
            throw error;
        }
    }
}
