package dev.tollgate.plugin.anthropic;

import dev.tollgate.bench.jmh.Fixtures;
import dev.tollgate.bench.jmh.ProviderStreamBench;
import dev.tollgate.bench.jmh.StreamReplay;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.ProviderRequest;
import java.time.Clock;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * provider-anthropic's whole stream path per upstream event, as {@code OpenAiProviderBench} measures
 * provider-openai's: a 20-event Messages stream, in 1 KiB pieces, through {@code streamChat}, relayed
 * to an Anthropic client (pass-through) or translated to canonical events for an OpenAI client. In the
 * plugin's package (in the bench module, not the plugin) because the adapter is package-private; it
 * calls only its entry points.
 */
public class AnthropicProviderBench extends ProviderStreamBench {

    static final String CLIENT_MODEL = "claude-sonnet-4-5";
    static final String UPSTREAM_MODEL = "claude-sonnet-4-5-20250929";
    static final Headers SSE_HEADERS = Headers.of("content-type", "text/event-stream; charset=utf-8");

    /** Events in {@link #STREAM}: message_start, content_block_start, 15 text deltas, content_block_stop, message_delta, message_stop. */
    static final int EVENTS = 20;

    private static final String[] WORDS = {"Hello", "!", " I", " hope", " you", " are", " having", " a",
        " wonderful", " day", " today", ".", " Nice", " to", " meet you"};

    static final String STREAM = stream();

    static final String NATIVE_REQUEST = "{\"model\":\"" + CLIENT_MODEL + "\",\"max_tokens\":64,"
            + "\"system\":\"You are terse.\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Say hello in one short sentence please.\"}],\"temperature\":0.7,\"stream\":true}";

    AnthropicAdapter adapter;
    ProviderRequest passThroughStream;

    @Setup
    public void setup() {
        adapter = new AnthropicAdapter(AnthropicConfig.from(PluginConfig.of("bench", Map.of("api_key", "sk-ant-bench"))),
                Clock.systemUTC(), NO_WARNINGS);
        call = replaying(SSE_HEADERS, Fixtures.utf8(STREAM));
        passThroughStream = passThrough(WireFormat.ANTHROPIC_MESSAGES, CLIENT_MODEL, UPSTREAM_MODEL, Bytes.utf8(NATIVE_REQUEST));
        translatedStream = translated(WireFormat.OPENAI_CHAT, CLIENT_MODEL, UPSTREAM_MODEL);
    }

    /**
     * Per upstream event, for an Anthropic client: the model rewrite once, then SSE split, each event's
     * scan (type, usage, stop reason) and its relay untouched.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void relayStreamPerEvent(Blackhole bh) {
        adapter.streamChat(passThroughStream, call, new StreamReplay.Sink(bh));
    }

    /**
     * Per upstream event, for an OpenAI client: the request rendered once from the canonical model (with
     * the adapter's rules), then each event scanned and read into canonical events.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void translateStreamPerEvent(Blackhole bh) {
        adapter.streamChat(translatedStream, call, new StreamReplay.Sink(bh));
    }

    private static String stream() {
        StringBuilder sb = new StringBuilder(4096);
        event(sb, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + UPSTREAM_MODEL + "\",\"content\":[],"
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":24,"
                + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}");
        event(sb, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        for (String w : WORDS) {
            event(sb, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + w + "\"}}");
        }
        event(sb, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(sb, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":16}}");
        event(sb, "message_stop", "{\"type\":\"message_stop\"}");
        return sb.toString();
    }

    private static void event(StringBuilder sb, String name, String data) {
        sb.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
    }
}
