package dev.tollgate.spi.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builders for server-sent event streams and OpenAI chat chunks. */
public final class SseFixtures {

    private SseFixtures() {}

    /** {@code data: <payload>\n\n} for each payload. */
    public static byte[] sse(String... dataPayloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : dataPayloads) {
            out.writeBytes(("data: " + p + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** Splits {@code bytes} into pieces of at most {@code size} bytes, as a network might. */
    public static List<byte[]> split(byte[] bytes, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            byte[] piece = new byte[Math.min(size, bytes.length - i)];
            System.arraycopy(bytes, i, piece, 0, piece.length);
            out.add(piece);
        }
        return out;
    }

    /** An OpenAI {@code chat.completion.chunk} carrying {@code content}, with {@code "usage":null} as OpenAI sends it when usage was asked for. */
    public static String contentChunk(String id, String model, String content) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content
                + "\"},\"finish_reason\":null}],\"usage\":null}";
    }

    /** The chunk that ends the choices, with {@code finish_reason} {@code stop}. */
    public static String stopChunk(String id, String model) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}";
    }

    /** The final usage chunk OpenAI sends when {@code stream_options.include_usage} is true. */
    public static String usageChunk(String id, String model, long prompt, long completion) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + "}}";
    }

    /** A complete OpenAI chat completion. */
    public static String completion(String id, String model, String content, long prompt, long completion) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completion + ",\"total_tokens\":" + (prompt + completion) + "}}";
    }

    /** An OpenAI error body. */
    public static String openAiError(String message, String type, String code) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }
}
