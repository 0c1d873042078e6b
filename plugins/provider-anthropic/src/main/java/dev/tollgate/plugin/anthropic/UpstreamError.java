package dev.tollgate.plugin.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What Anthropic said about a failure: {@code {"type":"error","error":{"type","message"}}} in an error
 * body or an {@code error} event. Either field may be {@code null}.
 */
record UpstreamError(String type, String message) {

    static final UpstreamError NONE = new UpstreamError(null, null);

    /** Parses an error document; {@link #NONE} when it is not JSON or says nothing usable. */
    static UpstreamError parse(byte[] body, int length) {
        if (length == 0) {
            return NONE;
        }
        try (JsonParser p = Json.FACTORY.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            UpstreamError found = NONE;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("error")) {
                    found = read(p);
                } else {
                    p.skipChildren();
                }
            }
            return found;
        } catch (IOException e) {
            return NONE;
        }
    }

    /** Reads an {@code error} value, the parser on its first token; a string is taken as the message. */
    static UpstreamError read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return new UpstreamError(null, p.getText());
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return NONE;
        }
        String type = null;
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("type") && v == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if (name.equals("message") && v == JsonToken.VALUE_STRING) {
                message = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return new UpstreamError(type, message);
    }
}
