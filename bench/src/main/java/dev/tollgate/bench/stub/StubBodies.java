package dev.tollgate.bench.stub;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The fixed bytes the stub answers with, built once so that answering costs no JSON work. */
final class StubBodies {

    private StubBodies() {}

    static final String CHAT_JSON = "{\"id\":\"chatcmpl-bench00000000000000000000000001\",\"object\":\"chat.completion\","
            + "\"created\":1735689600,\"model\":\"bench-upstream\",\"system_fingerprint\":\"fp_bench01\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hello! This is the fixed answer of the Tollgate bench stub.\","
            + "\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":21,\"total_tokens\":38,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
            + "\"service_tier\":\"default\"}";

    static final byte[] CHAT = CHAT_JSON.getBytes(StandardCharsets.US_ASCII);

    static final byte[] EMBEDDINGS = embeddings(64);

    static final byte[] HEALTH = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);

    private static final String CHUNK_PREFIX = "data: {\"id\":\"chatcmpl-bench00000000000000000000000002\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1735689600,\"model\":\"bench-upstream\","
            + "\"system_fingerprint\":\"fp_bench01\",\"choices\":[";

    /** First content event: carries the role, as OpenAI's first chunk does. */
    static final byte[] FIRST_CHUNK = ascii(CHUNK_PREFIX
            + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");

    static final byte[] CONTENT_CHUNK = ascii(CHUNK_PREFIX
            + "{\"index\":0,\"delta\":{\"content\":\" token\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");

    static final byte[] FINISH_CHUNK = ascii(CHUNK_PREFIX
            + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");

    /** The usage chunk OpenAI sends last when stream_options.include_usage is set; the stub always sends it. */
    static final byte[] USAGE_CHUNK = ascii(CHUNK_PREFIX
            + "],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":20,\"total_tokens\":37}}\n\n");

    static final byte[] DONE = ascii("data: [DONE]\n\n");

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).flip();
        return b.asReadOnlyBuffer();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] embeddings(int dims) {
        StringBuilder sb = new StringBuilder(dims * 12 + 200);
        sb.append("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[");
        for (int i = 0; i < dims; i++) {
            if (i > 0) sb.append(',');
            // deterministic values in (-1, 1)
            double v = Math.sin(i * 0.7) * 0.05;
            sb.append(String.format(java.util.Locale.ROOT, "%.6f", v));
        }
        sb.append("]}],\"model\":\"bench-embedding\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");
        return ascii(sb.toString());
    }
}
