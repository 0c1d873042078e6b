package dev.tollgate.plugin.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * One pass over an Anthropic event or message that reads only what the gateway must know of bytes it
 * relays untouched: the {@code type}, the usage counters ({@code message.usage} or {@code usage}),
 * the stop reason ({@code stop_reason}, {@code message.stop_reason} or {@code delta.stop_reason}) and an
 * {@code error}. Every other value is skipped without being decoded. It also proves the bytes are one
 * JSON object, so nothing malformed is passed on.
 *
 * @param type       the {@code type} field, or {@code null}
 * @param stopReason the stop reason as Anthropic wrote it, or {@code null}
 * @param error      the {@code error} object, or {@code null}
 */
record EventScan(String type, String stopReason, UpstreamError error) {

    /**
     * Scans {@code b[0, length)}, adding the usage it reports to {@code counts}.
     *
     * @throws IOException when the bytes are not one JSON object
     */
    static EventScan of(byte[] b, int length, UsageCounts counts) throws IOException {
        String type = null;
        String stop = null;
        UpstreamError error = null;
        try (JsonParser p = Json.FACTORY.createParser(b, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "type" -> type = v == JsonToken.VALUE_STRING ? p.getText() : skip(p);
                    case "usage" -> counts.read(p);
                    case "stop_reason" -> stop = string(p, stop);
                    case "message", "delta" -> {
                        if (v != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String inner = p.currentName();
                            p.nextToken();
                            if (inner.equals("stop_reason")) {
                                stop = string(p, stop);
                            } else if (inner.equals("usage")) {
                                counts.read(p);
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    case "error" -> error = UpstreamError.read(p);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("not one complete JSON object");
            }
        }
        return new EventScan(type, stop, error);
    }

    private static String skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private static String string(JsonParser p, String previous) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return previous;
    }
}
