package dev.tollgate.plugin.bedrock;

import dev.tollgate.bench.jmh.Fixtures;
import dev.tollgate.bench.jmh.ProviderStreamBench;
import dev.tollgate.bench.jmh.StreamReplay;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.zip.CRC32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * provider-bedrock's stream path per upstream event: a 20-message ConverseStream answer in AWS's binary
 * event-stream framing, in 1 KiB pieces, to canonical events (every client of Bedrock is translated).
 * {@link #translateStreamPerEvent} is the whole {@code streamChat} (the Converse request rendered and
 * SigV4-signed once, then per message: both CRC checks, the decoder, the Converse event reader);
 * {@link #decodeStreamPerEvent} is the answer's part alone. In the plugin's package (in the bench
 * module, not the plugin) because these classes are package-private; it calls only their entry points.
 */
public class BedrockProviderBench extends ProviderStreamBench {

    static final String CLIENT_MODEL = "claude-bedrock";
    static final String UPSTREAM_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final Headers HEADERS = Headers.of("content-type", BedrockAdapter.EVENT_STREAM,
            "x-amzn-requestid", "6b1e5c2a-8f0d-4e7b-9a3c-2d4f6e8a0b1c");
    static final int MAX_EVENT_BYTES = 8 << 20;

    /** Messages in {@link #STREAM}: messageStart, 16 text deltas, contentBlockStop, messageStop, metadata. */
    static final int EVENTS = 20;

    static final byte[] STREAM = stream();

    BedrockAdapter adapter;

    @Setup
    public void setup() {
        PluginConfig config = PluginConfig.of("bench", Map.of("access_key_id", "AKIDEXAMPLE",
                "secret_access_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "region", "us-east-1"));
        adapter = new BedrockAdapter(BedrockConfig.from(config, Map.of(), Path.of("/nonexistent-home")), Clock.systemUTC(),
                NO_WARNINGS);
        call = replaying(HEADERS, STREAM);
        translatedStream = translated(WireFormat.OPENAI_CHAT, CLIENT_MODEL, UPSTREAM_MODEL);
    }

    /** Per upstream message: the whole stream path, the request's rendering and signature included (once per stream). */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void translateStreamPerEvent(Blackhole bh) {
        adapter.streamChat(translatedStream, call, new StreamReplay.Sink(bh));
    }

    /** Per upstream message: the answer alone (prelude and message CRCs, header decoding, Converse event to canonical). */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void decodeStreamPerEvent(Blackhole bh) {
        ConverseStream handler = new ConverseStream(new StreamReplay.Sink(bh), translatedStream, MAX_EVENT_BYTES,
                NO_WARNINGS);
        handler.onHeaders(200, HEADERS);
        for (ByteBuffer b : call.pieces()) {
            handler.onBody(b.rewind());
        }
        handler.onComplete();
    }

    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        event(out, "messageStart", "{\"p\":\"abcdefghijkl\",\"role\":\"assistant\"}");
        for (String w : Fixtures.WORDS) {
            event(out, "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"" + w + "\"},\"p\":\"abcd\"}");
        }
        event(out, "contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"ab\"}");
        event(out, "messageStop", "{\"stopReason\":\"end_turn\",\"p\":\"abcdefgh\"}");
        event(out, "metadata", "{\"usage\":{\"inputTokens\":24,\"outputTokens\":16,\"totalTokens\":40},"
                + "\"metrics\":{\"latencyMs\":312},\"p\":\"abc\"}");
        return out.toByteArray();
    }

    /** One event message: total length, headers length, prelude CRC, string headers, payload, message CRC. */
    private static void event(ByteArrayOutputStream out, String type, String json) {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        String[] h = {":event-type", type, ":content-type", "application/json", ":message-type", "event"};
        for (int i = 0; i < h.length; i += 2) {
            byte[] name = h[i].getBytes(StandardCharsets.US_ASCII);
            byte[] value = h[i + 1].getBytes(StandardCharsets.UTF_8);
            headers.write(name.length);
            headers.writeBytes(name);
            headers.write(7); // string
            headers.write(value.length >> 8);
            headers.write(value.length & 0xff);
            headers.writeBytes(value);
        }
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer m = ByteBuffer.allocate(12 + headers.size() + payload.length + 4);
        m.putInt(m.capacity()).putInt(headers.size()).putInt(crc(m.array(), 8));
        m.put(headers.toByteArray()).put(payload);
        m.putInt(crc(m.array(), m.position()));
        out.writeBytes(m.array());
    }

    private static int crc(byte[] b, int length) {
        CRC32 c = new CRC32();
        c.update(b, 0, length);
        return (int) c.getValue();
    }
}
