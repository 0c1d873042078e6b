package dev.tollgate.plugin.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tollgate.spi.Bytes;
import java.io.IOException;
import java.util.Arrays;

/**
 * The pass-through body for the upstream: the client's bytes, with only the top-level {@code model}
 * value replaced by the deployment's model when the two names differ. Everything else — system
 * prompt, {@code cache_control} breakpoints, thinking blocks and their signatures, unknown fields —
 * stays byte for byte what the client sent, so Anthropic's prompt cache sees the same prefix.
 */
final class ModelRewrite {

    private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();

    private ModelRewrite() {}

    /**
     * {@code body} itself when it already names {@code upstreamModel}, else a copy with each top-level
     * {@code model} string replaced.
     *
     * @throws IOException when {@code body} is not a JSON object with a string {@code model}
     */
    static Bytes forUpstream(Bytes body, String clientModel, String upstreamModel) throws IOException {
        if (clientModel.equals(upstreamModel)) {
            return body;
        }
        byte[] src = body.toArray();
        int[] ranges = new int[4];
        int found = 0;
        try (JsonParser p = Json.FACTORY.createParser(src)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the request body is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                boolean model = p.currentName().equals("model");
                JsonToken v = p.nextToken();
                if (model) {
                    if (v != JsonToken.VALUE_STRING) {
                        throw new IOException("model is not a string");
                    }
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    p.finishToken();
                    int end = (int) p.currentLocation().getByteOffset();
                    if (found == ranges.length) {
                        ranges = Arrays.copyOf(ranges, ranges.length * 2);
                    }
                    ranges[found++] = start;
                    ranges[found++] = end;
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("the request body is not one complete JSON object");
            }
        }
        if (found == 0) {
            throw new IOException("the request body names no model");
        }
        byte[] quoted = QUOTER.quoteAsUTF8(upstreamModel);
        int removed = 0;
        for (int i = 0; i < found; i += 2) {
            removed += ranges[i + 1] - ranges[i];
        }
        byte[] out = new byte[src.length - removed + (quoted.length + 2) * (found / 2)];
        int o = 0;
        int from = 0;
        for (int i = 0; i < found; i += 2) {
            System.arraycopy(src, from, out, o, ranges[i] - from);
            o += ranges[i] - from;
            out[o++] = '"';
            System.arraycopy(quoted, 0, out, o, quoted.length);
            o += quoted.length;
            out[o++] = '"';
            from = ranges[i + 1];
        }
        System.arraycopy(src, from, out, o, src.length - from);
        return Bytes.wrapOwned(out);
    }
}
