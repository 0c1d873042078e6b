package dev.tollgate.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The fixed bytes of one HTTP/1.1 request, built once. With {@code unique} set, the body carries a 16-digit
 * counter that {@link #write} fills in per request (so a gateway cache always misses); otherwise every request is
 * byte-identical.
 */
public final class RequestTemplate {

    public static final String DEFAULT_MODEL = "bench";
    private static final String COUNTER = "0000000000000000";

    private final byte[] bytes;
    private final int counterOffset; // -1 when not unique
    private final boolean stream;
    private final String description;

    private RequestTemplate(byte[] bytes, int counterOffset, boolean stream, String description) {
        this.bytes = bytes;
        this.counterOffset = counterOffset;
        this.stream = stream;
        this.description = description;
    }

    /** A chat completion request as the scenarios send it (~300 B body). */
    public static RequestTemplate chat(String hostPort, String path, String model, boolean stream, boolean unique,
                                       List<String> extraHeaders) {
        String body = "{\"model\":\"" + model + "\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hello in one short sentence please. Request " + COUNTER + ".\"}],"
                + "\"temperature\":0.7,\"max_tokens\":64,\"user\":\"tollgate-bench\""
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
                + "}";
        return build("POST", hostPort, path, stream ? "text/event-stream" : "application/json", body, unique,
                extraHeaders, (stream ? "stream " : "") + "POST " + path + " model=" + model);
    }

    /** A plain GET (health checks). */
    public static RequestTemplate get(String hostPort, String path) {
        return build("GET", hostPort, path, "*/*", null, false, List.of(), "GET " + path);
    }

    private static RequestTemplate build(String method, String hostPort, String path, String accept, String body,
                                         boolean unique, List<String> extraHeaders, String description) {
        StringBuilder sb = new StringBuilder(512);
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(hostPort).append("\r\n");
        sb.append("User-Agent: tollgate-bench\r\n");
        sb.append("Accept: ").append(accept).append("\r\n");
        for (String h : extraHeaders) {
            sb.append(h.strip()).append("\r\n");
        }
        byte[] bodyBytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            sb.append("Content-Type: application/json\r\n");
            sb.append("Content-Length: ").append(bodyBytes.length).append("\r\n");
        }
        sb.append("\r\n");
        int headLen = sb.toString().getBytes(StandardCharsets.UTF_8).length;
        if (body != null) sb.append(body);
        byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
        int counter = -1;
        if (unique && body != null) {
            counter = headLen + body.indexOf(COUNTER);
        }
        return new RequestTemplate(all, counter, body != null && body.contains("\"stream\":true"), description);
    }

    public int length() {
        return bytes.length;
    }

    public boolean stream() {
        return stream;
    }

    public boolean unique() {
        return counterOffset >= 0;
    }

    public String description() {
        return description;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** A direct buffer holding the request, for one connection. */
    public ByteBuffer newBuffer() {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).flip();
        return b;
    }

    /** Readies {@code buf} (from {@link #newBuffer}) for sending request number {@code seq}. */
    public void write(ByteBuffer buf, long seq) {
        if (counterOffset >= 0) {
            long v = seq;
            for (int i = counterOffset + COUNTER.length() - 1; i >= counterOffset; i--) {
                buf.put(i, (byte) ('0' + (v % 10)));
                v /= 10;
            }
        }
        buf.limit(bytes.length).position(0);
    }
}
