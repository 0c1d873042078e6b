package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.provider.Usage;
import java.nio.charset.StandardCharsets;

/**
 * Writes the {@code chat.completion.chunk}s of one stream. The id, created and model are escaped
 * once into a shared head; each chunk is that head plus a fixed tail around a JSON-escaped word.
 */
final class ChunkWriter {

    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

    private static final byte[] ROLE = ascii(
            "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}");
    private static final byte[] CONTENT_OPEN = ascii("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
    private static final byte[] CONTENT_OPEN_SPACE = ascii("\"choices\":[{\"index\":0,\"delta\":{\"content\":\" ");
    private static final byte[] CONTENT_CLOSE = ascii("\"},\"logprobs\":null,\"finish_reason\":null}]}");
    private static final byte[] FINISH_OPEN = ascii("\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"");
    private static final byte[] FINISH_CLOSE = ascii("\"}]}");

    private final byte[] head;

    ChunkWriter(String id, long created, String model) {
        this.head = concat(
                ascii("{\"id\":\""), ESCAPE.quoteAsUTF8(id),
                ascii("\",\"object\":\"chat.completion.chunk\",\"created\":" + created + ",\"model\":\""),
                ESCAPE.quoteAsUTF8(model), ascii("\","));
    }

    Bytes role() {
        return Bytes.wrapOwned(concat(head, ROLE));
    }

    /** The chunk of one word; every word but the first carries the space that separates it from the previous one. */
    Bytes content(String word, boolean first) {
        return Bytes.wrapOwned(concat(head, first ? CONTENT_OPEN : CONTENT_OPEN_SPACE, ESCAPE.quoteAsUTF8(word), CONTENT_CLOSE));
    }

    Bytes finish(String finishReason) {
        return Bytes.wrapOwned(concat(head, FINISH_OPEN, ascii(finishReason), FINISH_CLOSE));
    }

    Bytes usage(Usage usage) {
        return Bytes.wrapOwned(concat(head, ascii("\"choices\":[],\"usage\":{\"prompt_tokens\":" + usage.promptTokens()
                + ",\"completion_tokens\":" + usage.completionTokens()
                + ",\"total_tokens\":" + usage.totalTokens() + "}}")));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
