package dev.tollgate.plugin.openai;

import dev.tollgate.bench.jmh.Fixtures;
import dev.tollgate.bench.jmh.ProviderStreamBench;
import dev.tollgate.bench.jmh.StreamReplay;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.ProviderRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The OpenAI provider's per-request work: the request rewrite for the upstream, the usage scan of
 * an answer, and a stream through the adapter, relayed as it came (pass-through) or translated to
 * canonical events. In the plugin's package (in the bench module, not the plugin) because these
 * classes are package-private; it calls only their entry points, so that it keeps compiling while
 * their insides change.
 */
public class OpenAiProviderBench extends ProviderStreamBench {

    static final String CLIENT_MODEL = "gpt-4o-mini";
    static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";
    static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream; charset=utf-8");

    Bytes chatRequest;
    Bytes streamRequest;
    Bytes streamRequestWithOptions;
    Bytes chatResponse;
    Bytes usageChunk;
    OpenAiAdapter adapter;
    ProviderRequest passThroughStream;

    @Setup
    public void setup() {
        chatRequest = Bytes.utf8(Fixtures.CHAT_REQUEST);
        streamRequest = Bytes.utf8(Fixtures.STREAM_REQUEST);
        streamRequestWithOptions = Bytes.utf8(Fixtures.STREAM_REQUEST_WITH_OPTIONS);
        chatResponse = Bytes.utf8(Fixtures.CHAT_RESPONSE);
        usageChunk = Bytes.utf8(Fixtures.USAGE_CHUNK);
        adapter = new OpenAiAdapter(OpenAiConfig.from(PluginConfig.of("bench", Map.of("api_key", "sk-bench"))),
                Clock.systemUTC(), dev.tollgate.spi.time.Ticker.system(), NO_WARNINGS);
        call = replaying(SSE_HEADERS, Fixtures.utf8(Fixtures.SSE_STREAM));
        passThroughStream = passThrough(WireFormat.OPENAI_CHAT, CLIENT_MODEL, UPSTREAM_MODEL, streamRequest);
        translatedStream = translated(WireFormat.ANTHROPIC_MESSAGES, CLIENT_MODEL, UPSTREAM_MODEL);
    }

    /** Non-stream request: the model alias replaced by the upstream's model. */
    @Benchmark
    public Bytes rewriteChat() throws IOException {
        return RequestBodies.forUpstream(chatRequest, CLIENT_MODEL, UPSTREAM_MODEL,
                RequestBodies.StreamOptions.KEEP);
    }

    /** Stream request: model replaced, {@code stream_options.include_usage} added. */
    @Benchmark
    public Bytes rewriteStream() throws IOException {
        return RequestBodies.forUpstream(streamRequest, CLIENT_MODEL, UPSTREAM_MODEL,
                RequestBodies.StreamOptions.INCLUDE_USAGE);
    }

    /** Stream request whose client set {@code stream_options} itself: merged. */
    @Benchmark
    public Bytes rewriteStreamMergeOptions() throws IOException {
        return RequestBodies.forUpstream(streamRequestWithOptions, CLIENT_MODEL, UPSTREAM_MODEL,
                RequestBodies.StreamOptions.INCLUDE_USAGE);
    }

    /** Usage (and error, choices, stop reason) of a non-stream answer. */
    @Benchmark
    public Object scanResponse() throws IOException {
        return ResponseScan.of(chatResponse);
    }

    /** Usage of a stream's usage chunk. */
    @Benchmark
    public Object scanUsageChunk() throws IOException {
        return ResponseScan.of(usageChunk);
    }

    /**
     * Per upstream event: the 20-event stream, in 1 KiB pieces, through {@code streamChat} for an
     * OpenAI client (request rewrite once, then SSE split, the payload check, usage and finish
     * detection and the relay of each chunk untouched).
     */
    @Benchmark
    @OperationsPerInvocation(Fixtures.SSE_EVENTS)
    public void relayStreamPerEvent(Blackhole bh) {
        adapter.streamChat(passThroughStream, call, new StreamReplay.Sink(bh));
    }

    /**
     * Per upstream event: the same stream for a client of another API (request rendered once from the
     * canonical model, then each chunk read into canonical events).
     */
    @Benchmark
    @OperationsPerInvocation(Fixtures.SSE_EVENTS)
    public void translateStreamPerEvent(Blackhole bh) {
        adapter.streamChat(translatedStream, call, new StreamReplay.Sink(bh));
    }
}
