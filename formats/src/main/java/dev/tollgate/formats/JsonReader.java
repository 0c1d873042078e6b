package dev.tollgate.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import dev.tollgate.spi.chat.RawJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over one JSON document held in a byte array, on jackson-core's streaming parser. Every
 * read names the field path it expects, so a type mismatch becomes a {@link FormatException} with
 * that path. Values the canonical model keeps as JSON are sliced from the input bytes by offset,
 * never re-serialised, so they stay byte for byte what the sender wrote.
 */
public final class JsonReader implements AutoCloseable {

    /**
     * Strings are not length-limited here: the kernel bounds the body size before parsing, and inline
     * images routinely exceed jackson's default 20 MB string limit.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();

    private final byte[] bytes;
    private final int offset;
    private final JsonParser parser;

    private JsonReader(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.offset = offset;
        try {
            this.parser = FACTORY.createParser(bytes, offset, length);
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    /** A reader over {@code length} bytes of {@code bytes} from {@code offset}, positioned before the root value. */
    public static JsonReader of(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + bytes.length);
        }
        return new JsonReader(bytes, offset, length);
    }

    /** Moves to the root value and requires it to be an object. */
    public void rootObject(String what) {
        if (next() != JsonToken.START_OBJECT) {
            throw new FormatException(what + " must be a JSON object", null);
        }
    }

    /** Requires that nothing but whitespace follows the root value. */
    public void end() {
        if (next() != null) {
            throw new FormatException("invalid JSON: content after the end of the document", null);
        }
    }

    public JsonToken next() {
        try {
            return parser.nextToken();
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    public JsonToken token() {
        return parser.currentToken();
    }

    /**
     * Inside an object: moves to the next field's value and returns the field's name, or returns
     * {@code null} at the end of the object.
     */
    public String nextField() {
        JsonToken t = next();
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        if (t != JsonToken.FIELD_NAME) {
            throw new FormatException("invalid JSON: expected a field name", null);
        }
        try {
            String name = parser.currentName();
            if (parser.nextToken() == null) {
                throw new FormatException("invalid JSON: unexpected end of input", null);
            }
            return name;
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    /** Inside an array: moves to the next element, or returns {@code false} at the end of the array. */
    public boolean nextElement() {
        JsonToken t = next();
        if (t == null) {
            throw new FormatException("invalid JSON: unexpected end of input", null);
        }
        return t != JsonToken.END_ARRAY;
    }

    public boolean isNull() {
        return parser.currentToken() == JsonToken.VALUE_NULL;
    }

    /** Whether the current value is an object; {@code false} for null; a {@link FormatException} otherwise. */
    public boolean objectOrNull(String param) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.START_OBJECT) {
            return true;
        }
        if (t == JsonToken.VALUE_NULL) {
            return false;
        }
        throw new FormatException(param + " must be an object", param);
    }

    /** Whether the current value is an object, without complaining when it is anything else. */
    public boolean isObject() {
        return parser.currentToken() == JsonToken.START_OBJECT;
    }

    public boolean isBoolean() {
        JsonToken t = parser.currentToken();
        return t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE;
    }

    public void object(String param) {
        if (!objectOrNull(param)) {
            throw new FormatException(param + " must be an object", param);
        }
    }

    /** Whether the current value is an array; {@code false} for null; a {@link FormatException} otherwise. */
    public boolean arrayOrNull(String param) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.START_ARRAY) {
            return true;
        }
        if (t == JsonToken.VALUE_NULL) {
            return false;
        }
        throw new FormatException(param + " must be an array", param);
    }

    public boolean isString() {
        return parser.currentToken() == JsonToken.VALUE_STRING;
    }

    public boolean isArray() {
        return parser.currentToken() == JsonToken.START_ARRAY;
    }

    public String string(String param) {
        String s = stringOrNull(param);
        if (s == null) {
            throw new FormatException(param + " must be a string", param);
        }
        return s;
    }

    public String stringOrNull(String param) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            try {
                return parser.getText();
            } catch (IOException e) {
                throw invalid(e);
            }
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new FormatException(param + " must be a string", param);
    }

    public Double doubleOrNull(String param) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            try {
                return parser.getDoubleValue();
            } catch (IOException e) {
                throw invalid(e);
            }
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new FormatException(param + " must be a number", param);
    }

    public Integer intOrNull(String param) {
        Long v = longOrNull(param);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new FormatException(param + " is out of range", param);
        }
        return v.intValue();
    }

    public Long longOrNull(String param) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            try {
                return parser.getLongValue();
            } catch (InputCoercionException e) {
                throw new FormatException(param + " is out of range", param, e);
            } catch (IOException e) {
                throw invalid(e);
            }
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            // 1024.0 is an integer written by a client that only has doubles
            try {
                double d = parser.getDoubleValue();
                if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
                    return (long) d;
                }
            } catch (IOException e) {
                throw invalid(e);
            }
            throw new FormatException(param + " must be an integer", param);
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new FormatException(param + " must be an integer", param);
    }

    /** A token count: a non-negative integer, or 0 when null or absent. */
    public long count(String param) {
        Long v = longOrNull(param);
        if (v == null) {
            return 0;
        }
        if (v < 0) {
            throw new FormatException(param + " must not be negative", param);
        }
        return v;
    }

    public Boolean boolOrNull(String param) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_TRUE) {
            return Boolean.TRUE;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return Boolean.FALSE;
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new FormatException(param + " must be a boolean", param);
    }

    /** Skips the current value, with its children. */
    public void skip() {
        try {
            parser.skipChildren();
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    /** The current value exactly as written in the input; the cursor ends on its last token. */
    public RawJson raw() {
        int start = start();
        JsonToken t = parser.currentToken();
        try {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                parser.skipChildren();
            } else if (t == JsonToken.VALUE_STRING) {
                parser.finishToken();
            }
        } catch (IOException e) {
            throw invalid(e);
        }
        boolean scalar = t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY && t != JsonToken.VALUE_STRING;
        return RawJson.of(slice(start, scalar));
    }

    /** The absolute offset in the byte array where the current token starts. */
    public int start() {
        return offset + (int) parser.currentTokenLocation().getByteOffset();
    }

    /** The input from {@code start} to the end of the current token, as text. */
    public String since(int start) {
        return slice(start, false);
    }

    /**
     * The parser stops right after a token, but a number or literal is only known to end at the next
     * character, which a parser may already have consumed: a scalar's slice drops such a delimiter.
     */
    private String slice(int start, boolean scalar) {
        int end = offset + (int) parser.currentLocation().getByteOffset();
        while (end > start && isTrailing(bytes[end - 1], scalar)) {
            end--;
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    private static boolean isTrailing(byte b, boolean scalar) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t' || (scalar && (b == ',' || b == '}' || b == ']'));
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    private static FormatException invalid(IOException e) {
        String detail = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
        return new FormatException("invalid JSON: " + detail, null, e);
    }
}
