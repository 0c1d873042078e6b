package dev.tollgate.plugin.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tollgate.spi.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites a client's request body for the upstream in one streaming pass: every token is copied
 * except the top-level {@code model} value and, on request, {@code stream_options}.
 */
final class RequestBodies {

    enum StreamOptions {
        /** Leave {@code stream_options} as the client sent it. */
        KEEP,
        /** Make {@code stream_options.include_usage} true, keeping the object's other fields. */
        INCLUDE_USAGE,
        /** Drop {@code stream_options}, for upstreams that reject it. */
        REMOVE
    }

    private static final byte[] STREAM_OPTIONS = "\"stream_options\"".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] INCLUDE_USAGE_FIELD =
            ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOTHING = new byte[0];
    private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();

    private RequestBodies() {}

    /**
     * The body to send: {@code body} itself when {@code clientModel} already is {@code upstreamModel}
     * and nothing else must change, otherwise a rewritten copy.
     *
     * @throws IOException when {@code body} is not a JSON object
     */
    static Bytes forUpstream(Bytes body, String clientModel, String upstreamModel, StreamOptions options)
            throws IOException {
        boolean sameModel = clientModel.equals(upstreamModel);
        if (sameModel && options == StreamOptions.KEEP) {
            return body;
        }
        if (sameModel && options == StreamOptions.REMOVE && !body.contains(STREAM_OPTIONS)) {
            return body;
        }
        return rewrite(body, upstreamModel, options);
    }

    static Bytes rewrite(Bytes body, String model, StreamOptions options) throws IOException {
        Bytes spliced = splice(body, model, options);
        return spliced != null ? spliced : regenerate(body, model, options);
    }

    /**
     * The common case without re-serialising: one scan of the top level ({@link TopLevel}) finds
     * the byte range of the {@code model} string and of the closing brace, and the result is the client's
     * bytes with the model replaced and, for streams, {@code stream_options} appended unless the
     * client already asked for {@code include_usage: true} (what most SDK users send). Returns
     * {@code null} when the body needs the full rewrite (a client-set {@code stream_options} to
     * merge or drop, a duplicate or non-string {@code model}).
     */
    static Bytes splice(Bytes body, String model, StreamOptions options) throws IOException {
        byte[] src = body.toArray();
        int[] modelRange = {-1, -1};
        boolean[] unusual = {false};
        boolean[] usageAsked = {false};
        int objectEnd = TopLevel.scan(src, 0, src.length, (b, ks, ke, vs, ve) -> {
            if (TopLevel.is(b, ks, ke, "model")) {
                if (modelRange[0] >= 0 || b[vs] != '"') {
                    unusual[0] = true;
                }
                modelRange[0] = vs;
                modelRange[1] = ve;
            } else if (options != StreamOptions.KEEP && TopLevel.is(b, ks, ke, "stream_options")) {
                if (options == StreamOptions.INCLUDE_USAGE && !usageAsked[0] && includesUsage(b, vs, ve)) {
                    usageAsked[0] = true;
                } else {
                    unusual[0] = true;
                }
            }
        });
        if (unusual[0] || modelRange[0] < 0) {
            return null;
        }
        int modelStart = modelRange[0];
        int modelEnd = modelRange[1];
        byte[] quoted = QUOTER.quoteAsUTF8(model);
        byte[] insert = options == StreamOptions.INCLUDE_USAGE && !usageAsked[0] ? INCLUDE_USAGE_FIELD : NOTHING;
        int length = src.length - (modelEnd - modelStart) + quoted.length + 2 + insert.length;
        byte[] out = new byte[length];
        int o = 0;
        System.arraycopy(src, 0, out, o, modelStart);
        o += modelStart;
        out[o++] = '"';
        System.arraycopy(quoted, 0, out, o, quoted.length);
        o += quoted.length;
        out[o++] = '"';
        System.arraycopy(src, modelEnd, out, o, objectEnd - modelEnd);
        o += objectEnd - modelEnd;
        System.arraycopy(insert, 0, out, o, insert.length);
        o += insert.length;
        System.arraycopy(src, objectEnd, out, o, src.length - objectEnd);
        return Bytes.wrapOwned(out);
    }

    /** Whether {@code b[from, to)} is an object whose only {@code include_usage} member is {@code true}. */
    private static boolean includesUsage(byte[] b, int from, int to) throws IOException {
        if (b[from] != '{') {
            return false;
        }
        int[] seen = {0};
        boolean[] isTrue = {false};
        TopLevel.scan(b, from, to, (x, ks, ke, vs, ve) -> {
            if (TopLevel.is(x, ks, ke, "include_usage")) {
                seen[0]++;
                isTrue[0] = TopLevel.is(x, vs, ve, "true");
            }
        });
        return seen[0] == 1 && isTrue[0];
    }

    static Bytes regenerate(Bytes body, String model, StreamOptions options) throws IOException {
        Json.Output out = new Json.Output(body.length() + 64);
        try (JsonParser p = Json.parser(body); JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the request body is not a JSON object");
            }
            g.writeStartObject();
            boolean modelWritten = false;
            boolean streamOptionsWritten = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("model")) {
                    p.skipChildren();
                    if (!modelWritten) {
                        g.writeStringField("model", model);
                        modelWritten = true;
                    }
                } else if (name.equals("stream_options") && options != StreamOptions.KEEP) {
                    if (options == StreamOptions.INCLUDE_USAGE && !streamOptionsWritten) {
                        writeStreamOptions(p, g);
                        streamOptionsWritten = true;
                    } else {
                        p.skipChildren();
                    }
                } else {
                    g.writeFieldName(name);
                    Json.copyValue(p, g);
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IOException("the request body is not a complete JSON object");
            }
            if (!modelWritten) {
                g.writeStringField("model", model);
            }
            if (options == StreamOptions.INCLUDE_USAGE && !streamOptionsWritten) {
                g.writeObjectFieldStart("stream_options");
                g.writeBooleanField("include_usage", true);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        return out.toBytes();
    }

    private static void writeStreamOptions(JsonParser p, JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("stream_options");
        if (p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("include_usage")) {
                    p.skipChildren();
                } else {
                    g.writeFieldName(name);
                    Json.copyValue(p, g);
                }
            }
        } else {
            p.skipChildren();
        }
        g.writeBooleanField("include_usage", true);
        g.writeEndObject();
    }
}
