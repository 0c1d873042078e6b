package dev.tollgate.plugin.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
