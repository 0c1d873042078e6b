package dev.tollgate.bench.jmh;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Realistic inputs of the microbenchmarks: what a client sends and what OpenAI answers. */
public final class Fixtures {

    private Fixtures() {}

    /** A non-stream chat completion request as a client sends it. */
    public static final String CHAT_REQUEST = "{\"model\":\"gpt-4o-mini\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\"Say hello in one short sentence please.\"}],"
            + "\"temperature\":0.7,\"max_tokens\":64}";

    /** The same request, streamed, without {@code stream_options} (the gateway adds {@code include_usage}). */
    public static final String STREAM_REQUEST = CHAT_REQUEST.substring(0, CHAT_REQUEST.length() - 1)
            + ",\"stream\":true}";

    /** The streamed request with the client's own {@code stream_options}, which the gateway must merge. */
    public static final String STREAM_REQUEST_WITH_OPTIONS = CHAT_REQUEST.substring(0, CHAT_REQUEST.length() - 1)
            + ",\"stream\":true,\"stream_options\":{\"include_usage\":false}}";

    /** The upstream's answer to {@link #CHAT_REQUEST}: a chat.completion with usage and its details. */
    public static final String CHAT_RESPONSE = "{\"id\":\"chatcmpl-AXc9Qe2mZk3LrT8vYpN4bWcHfJd1s\","
            + "\"object\":\"chat.completion\",\"created\":1732560000,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hello! I hope you are having a wonderful day today.\",\"refusal\":null,"
            + "\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":12,\"total_tokens\":36,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_0705bf87c0\"}";

    private static final String CHUNK_HEAD = "{\"id\":\"chatcmpl-AXc9Qe2mZk3LrT8vYpN4bWcHfJd1s\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1732560000,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_0705bf87c0\",\"choices\":";

    /** The streamed answer's text, a delta each: "Hello! I hope you are having a wonderful day today. Nice to meet you". */
    public static final String[] WORDS = {"Hello", "!", " I", " hope", " you", " are", " having", " a",
        " wonderful", " day", " today", ".", " Nice", " to", " meet", " you"};

    /** The data of the usage chunk that ends {@link #SSE_STREAM}: empty choices, usage with details. */
    public static final String USAGE_CHUNK = CHUNK_HEAD + "[],\"usage\":{\"prompt_tokens\":24,"
            + "\"completion_tokens\":16,\"total_tokens\":40,\"prompt_tokens_details\":{\"cached_tokens\":0,"
            + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}";

    /**
     * An OpenAI chat stream of 20 events, as {@code stream_options.include_usage} makes it: a role chunk, 16
     * content chunks, a finish chunk, the usage chunk and {@code [DONE]}.
     */
    public static final String SSE_STREAM = sseStream();

    /** Events in {@link #SSE_STREAM}, {@code [DONE]} included. */
    public static final int SSE_EVENTS = 20;

    private static String sseStream() {
        StringBuilder sb = new StringBuilder(6000);
        event(sb, CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
        for (String w : WORDS) {
            event(sb, CHUNK_HEAD + "[{\"index\":0,\"delta\":{\"content\":\"" + w + "\"},\"logprobs\":null,"
                    + "\"finish_reason\":null}],\"usage\":null}");
        }
        event(sb, CHUNK_HEAD + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":null}");
        event(sb, USAGE_CHUNK);
        event(sb, "[DONE]");
        return sb.toString();
    }

    private static void event(StringBuilder sb, String data) {
        sb.append("data: ").append(data).append("\n\n");
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code bytes} cut into pieces of at most {@code size} bytes, each its own buffer (rewind before reuse). */
    public static ByteBuffer[] pieces(byte[] bytes, int size) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            byte[] piece = new byte[Math.min(size, bytes.length - i)];
            System.arraycopy(bytes, i, piece, 0, piece.length);
            out.add(ByteBuffer.wrap(piece));
        }
        return out.toArray(new ByteBuffer[0]);
    }

    /** Ten request headers as a client and Undertow hand them over: name, value, name, value... */
    public static final String[] HEADERS = {
        "Host", "gateway.example.com",
        "User-Agent", "OpenAI/Python 1.54.4",
        "Accept", "application/json",
        "Accept-Encoding", "gzip, deflate",
        "Content-Type", "application/json",
        "Content-Length", "183",
        "Authorization", "Bearer sk-tollgate-0123456789abcdef0123456789abcdef",
        "X-Stainless-Lang", "python",
        "X-Request-Id", "req-7f3a9c2e5b1d4a08",
        "Connection", "keep-alive",
    };
}
