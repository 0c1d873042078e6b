package dev.tollgate.plugin.gemini;

import dev.tollgate.bench.jmh.Fixtures;
import dev.tollgate.bench.jmh.ProviderStreamBench;
import dev.tollgate.bench.jmh.StreamReplay;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import java.time.Clock;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * provider-gemini's stream path per upstream event: a 20-chunk {@code streamGenerateContent?alt=sse}
 * answer, in 1 KiB pieces, through {@code streamChat} to canonical events (Gemini has no native client
 * format, so every stream is translated): the request rendered once, then SSE split, each chunk parsed
 * and turned into deltas, usage and the stop. In the plugin's package (in the bench module, not the
 * plugin) because the adapter is package-private; it calls only its entry points.
 */
public class GeminiProviderBench extends ProviderStreamBench {

    static final String CLIENT_MODEL = "gemini-flash";
    static final String UPSTREAM_MODEL = "gemini-2.5-flash";
    static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream");

    /** Chunks in {@link #STREAM}: 19 text chunks and a last one with text, {@code finishReason} and the final usage. */
    static final int EVENTS = 20;

    private static final String[] WORDS = {"Hello", "!", " I", " hope", " you", " are", " having", " a",
        " wonderful", " day", " today", ".", " It", " is", " nice", " to", " meet", " you", " here", "."};

    static final String STREAM = stream();

    GeminiAdapter adapter;

    @Setup
    public void setup() {
        adapter = new GeminiAdapter(GeminiConfig.from(PluginConfig.of("bench", Map.of("api_key", "AIza-bench"))),
                Clock.systemUTC(), NO_WARNINGS);
        call = replaying(SSE_HEADERS, Fixtures.utf8(STREAM));
        translatedStream = translated(WireFormat.OPENAI_CHAT, CLIENT_MODEL, UPSTREAM_MODEL);
    }

    /** Per upstream chunk: the whole stream path for a client of another API. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void translateStreamPerEvent(Blackhole bh) {
        adapter.streamChat(translatedStream, call, new StreamReplay.Sink(bh));
    }

    private static String stream() {
        StringBuilder sb = new StringBuilder(8192);
        for (int i = 0; i < WORDS.length; i++) {
            boolean last = i == WORDS.length - 1;
            sb.append("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"").append(WORDS[i])
                    .append("\"}],\"role\": \"model\"},").append(last ? "\"finishReason\": \"STOP\"," : "")
                    .append("\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,")
                    .append(last ? "\"candidatesTokenCount\": 20,\"totalTokenCount\": 29," : "\"totalTokenCount\": 9,")
                    .append("\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 9}]},")
                    .append("\"modelVersion\": \"").append(UPSTREAM_MODEL).append("\",\"responseId\": \"nAitaNm2FYDonvgP7tLIsA0\"}")
                    .append("\r\n\r\n");
        }
        return sb.toString();
    }
}
