package dev.tollgate.plugin.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.Bytes;
import java.io.IOException;

/**
 * What an upstream said about a failure: OpenAI's {@code {"error":{"message","type","param","code"}}},
 * also accepting {@code {"error":"text"}} and the flat {@code {"message","type","code"}} some
 * compatible servers send. Any field may be {@code null}.
 */
record UpstreamError(String message, String type, String code, String param) {

    static final UpstreamError NONE = new UpstreamError(null, null, null, null);

    /** Parses an error body; {@link #NONE} when it is not JSON or says nothing usable. */
    static UpstreamError parse(Bytes body) {
        if (body.isEmpty()) {
            return NONE;
        }
        try (JsonParser p = Json.parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            UpstreamError nested = null;
            String message = null;
            String type = null;
            String code = null;
            String param = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "error" -> {
                        UpstreamError e = read(p);
                        nested = e == NONE ? nested : e;
                    }
                    case "message", "detail" -> message = Json.text(p);
                    case "type" -> type = Json.text(p);
                    case "code" -> code = Json.text(p);
                    case "param" -> param = Json.text(p);
                    default -> p.skipChildren();
                }
            }
            return nested != null ? nested : new UpstreamError(message, type, code, param);
        } catch (IOException e) {
            return NONE;
        }
    }

    /** Reads the value of an {@code error} field, the parser being on its first token. */
    static UpstreamError read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return new UpstreamError(p.getText(), null, null, null);
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return NONE;
        }
        String message = null;
        String type = null;
        String code = null;
        String param = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "message" -> message = Json.text(p);
                case "type" -> type = Json.text(p);
                case "code" -> code = Json.text(p);
                case "param" -> param = Json.text(p);
                default -> p.skipChildren();
            }
        }
        return new UpstreamError(message, type, code, param);
    }

    /** The upstream's machine-readable code: {@code code} unless it is only a number, else {@code type}. */
    String codeOrType() {
        if (code != null && !code.isBlank() && !isNumber(code)) {
            return code;
        }
        return type != null && !type.isBlank() ? type : null;
    }

    private static boolean isNumber(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
