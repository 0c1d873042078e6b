package dev.tollgate.kernel.records;

import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spill's binary form of a {@link RequestRecord}: every field, versioned, so a record spilled
 * by one release is replayed by the next. Not an exchange format: sinks define their own.
 */
final class RecordCodec {

    /**
     * Version 1: the fields of SPI 1.0's record plus provider model, error type, upstream latency and
     * trace and span ids; version 2 adds the logged bodies. Both are read.
     */
    static final int VERSION = 2;
    private static final int MAX_STRING_BYTES = 1 << 20;
    private static final int MAX_ITEMS = 10_000;

    private RecordCodec() {}

    static byte[] encode(List<RequestRecord> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * records.size());
        DataOutputStream out = new DataOutputStream(bytes);
        for (RequestRecord r : records) {
            write(out, r);
        }
        out.flush();
        return bytes.toByteArray();
    }

    static List<RequestRecord> decode(InputStream in, int count) throws IOException {
        DataInputStream data = new DataInputStream(in);
        List<RequestRecord> out = new ArrayList<>(Math.min(count, MAX_ITEMS));
        for (int i = 0; i < count; i++) {
            try {
                out.add(read(data));
            } catch (RuntimeException e) {
                // an enum name or a required field that is not what it must be
                throw new IOException("corrupt record: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static void write(DataOutputStream out, RequestRecord r) throws IOException {
        out.writeByte(VERSION);
        string(out, r.requestId());
        out.writeLong(r.startedAt().getEpochSecond());
        out.writeInt(r.startedAt().getNano());
        string(out, r.endpoint());
        string(out, r.model().orElse(null));
        string(out, r.deploymentId().orElse(null));
        string(out, r.provider().orElse(null));
        string(out, r.providerModel().orElse(null));
        out.writeInt(r.status());
        string(out, r.errorCode().orElse(null));
        string(out, r.errorType().orElse(null));
        out.writeBoolean(r.stream());
        usage(out, r.usage().orElse(null));
        out.writeBoolean(r.cost().isKnown());
        out.writeLong(r.cost().micros().orElse(0));
        string(out, r.cacheStatus().name());
        out.writeLong(r.latencyMicros());
        out.writeLong(r.timeToFirstTokenMicros());
        out.writeLong(r.upstreamLatencyMicros());
        string(out, r.keyId().orElse(null));
        string(out, r.keyName().orElse(null));
        string(out, r.teamId().orElse(null));
        string(out, r.endUser().orElse(null));
        out.writeInt(r.attempts().size());
        for (AttemptRecord a : r.attempts()) {
            out.writeInt(a.index());
            string(out, a.deploymentId());
            string(out, a.result().name());
            string(out, a.errorCode());
            out.writeLong(a.latency().toNanos());
            out.writeLong(a.timeToFirstEvent().map(Duration::toNanos).orElse(-1L));
            usage(out, a.observedUsage().orElse(null));
        }
        out.writeBoolean(r.clientDisconnected());
        string(out, r.requestBody().orElse(null));
        string(out, r.responseBody().orElse(null));
        string(out, r.traceId().orElse(null));
        string(out, r.spanId().orElse(null));
        string(out, r.parentSpanId().orElse(null));
        out.writeInt(r.attemptSpanIds().size());
        for (String span : r.attemptSpanIds()) {
            string(out, span);
        }
        out.writeInt(r.metadata().size());
        for (Map.Entry<String, String> e : r.metadata().entrySet()) {
            string(out, e.getKey());
            string(out, e.getValue());
        }
    }

    private static RequestRecord read(DataInputStream in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != 1 && version != 2) {
            throw new IOException("unknown record version " + version);
        }
        String id = string(in);
        Instant started = Instant.ofEpochSecond(in.readLong(), in.readInt());
        RequestRecord.Builder b = RequestRecord.builder(id, started, string(in));
        b.model(string(in));
        String deployment = string(in);
        b.deployment(deployment, string(in));
        b.providerModel(string(in));
        b.status(in.readInt());
        b.errorCode(string(in));
        b.errorType(string(in));
        b.stream(in.readBoolean());
        b.usage(usage(in));
        boolean known = in.readBoolean();
        long micros = in.readLong();
        b.cost(known ? Cost.ofMicros(micros) : Cost.unknown());
        b.cacheStatus(CacheStatus.valueOf(string(in)));
        b.latencyMicros(in.readLong());
        b.timeToFirstTokenMicros(in.readLong());
        b.upstreamLatencyMicros(in.readLong());
        String keyId = string(in);
        b.key(keyId, string(in));
        b.teamId(string(in));
        b.endUser(string(in));
        int attempts = count(in);
        List<AttemptRecord> list = new ArrayList<>(attempts);
        for (int i = 0; i < attempts; i++) {
            int index = in.readInt();
            String dep = string(in);
            AttemptRecord.Result result = AttemptRecord.Result.valueOf(string(in));
            String code = string(in);
            Duration latency = Duration.ofNanos(in.readLong());
            long ttfe = in.readLong();
            list.add(new AttemptRecord(index, dep, result, code, latency, ttfe < 0 ? null : Duration.ofNanos(ttfe), usage(in)));
        }
        b.attempts(list);
        b.clientDisconnected(in.readBoolean());
        if (version >= 2) {
            String requestBody = string(in);
            b.bodies(requestBody, string(in));
        }
        b.traceId(string(in));
        String span = string(in);
        String parent = string(in);
        int spans = count(in);
        List<String> attemptSpans = new ArrayList<>(spans);
        for (int i = 0; i < spans; i++) {
            attemptSpans.add(string(in));
        }
        b.span(span, parent, attemptSpans);
        int tags = count(in);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < tags; i++) {
            metadata.put(string(in), string(in));
        }
        b.metadata(metadata);
        return b.build();
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ITEMS) {
            throw new IOException("corrupt record: count " + n);
        }
        return n;
    }

    private static void usage(DataOutputStream out, Usage u) throws IOException {
        out.writeBoolean(u != null);
        if (u != null) {
            out.writeLong(u.inputTokens());
            out.writeLong(u.outputTokens());
            out.writeLong(u.cachedInputTokens());
            out.writeLong(u.cacheWriteTokens());
            out.writeLong(u.reasoningTokens());
        }
    }

    private static Usage usage(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        return Usage.builder().inputTokens(in.readLong()).outputTokens(in.readLong()).cachedInputTokens(in.readLong())
                .cacheWriteTokens(in.readLong()).reasoningTokens(in.readLong()).build();
    }

    /** Strings of any length (writeUTF stops at 64 KiB), null kept apart from empty. */
    private static void string(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_STRING_BYTES) {
            throw new IOException("corrupt record: string of " + n + " bytes");
        }
        return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
    }
}
