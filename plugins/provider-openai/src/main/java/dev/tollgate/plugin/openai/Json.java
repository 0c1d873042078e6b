package dev.tollgate.plugin.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.tollgate.spi.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** The plugin's one Jackson factory and the streaming helpers built on it. */
final class Json {

    /** Limits are the kernel's business (it caps body sizes); Jackson's defaults would reject large base64 images. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private Json() {}

    static JsonParser parser(Bytes bytes) throws IOException {
        return FACTORY.createParser(bytes.openStream());
    }

    /**
     * Copies the value at the parser's current token, with all its children, keeping number
     * literals exactly as written. Leaves the parser on the value's last token.
     */
    static void copyValue(JsonParser p, JsonGenerator g) throws IOException {
        int depth = 0;
        JsonToken t = p.currentToken();
        while (true) {
            switch (t) {
                case START_OBJECT -> {
                    g.writeStartObject();
                    depth++;
                }
                case START_ARRAY -> {
                    g.writeStartArray();
                    depth++;
                }
                case END_OBJECT -> {
                    g.writeEndObject();
                    depth--;
                }
                case END_ARRAY -> {
                    g.writeEndArray();
                    depth--;
                }
                case FIELD_NAME -> g.writeFieldName(p.currentName());
                case VALUE_STRING -> g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> g.writeNumber(p.getText());
                case VALUE_TRUE -> g.writeBoolean(true);
                case VALUE_FALSE -> g.writeBoolean(false);
                case VALUE_NULL -> g.writeNull();
                default -> throw new IOException("unexpected JSON token " + t);
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
            if (t == null) {
                throw new IOException("JSON ended inside a value");
            }
        }
    }

    /** A non-negative integer at the current token; anything else counts as 0. */
    static long count(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return Math.max(0, p.getValueAsLong());
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            return Math.max(0, (long) p.getValueAsDouble());
        }
        p.skipChildren();
        return 0;
    }

    /** The current scalar token as text, or {@code null} for null and structures. */
    static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t != null && t.isScalarValue() && t != JsonToken.VALUE_NULL) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    /** The JSON string whose quoted bytes are {@code b[from, to)}, unescaped; {@code null} when it is not a string. */
    static String string(byte[] b, int from, int to) throws IOException {
        if (b[from] != '"') {
            return null;
        }
        boolean plain = true;
        for (int i = from + 1; i < to - 1; i++) {
            if (b[i] == '\\') {
                plain = false;
                break;
            }
        }
        if (plain) {
            return new String(b, from + 1, to - from - 2, java.nio.charset.StandardCharsets.UTF_8);
        }
        try (JsonParser p = FACTORY.createParser(b, from, to - from)) {
            p.nextToken();
            return p.getText();
        }
    }

    /** A byte sink whose buffer becomes the result without another copy. */
    static final class Output extends ByteArrayOutputStream {
        Output(int initialSize) {
            super(initialSize);
        }

        Bytes toBytes() {
            return Bytes.wrapOwned(buf, 0, count);
        }
    }
}
