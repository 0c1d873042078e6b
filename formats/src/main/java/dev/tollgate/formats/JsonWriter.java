package dev.tollgate.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tollgate.spi.chat.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes JSON documents into memory with jackson-core's generator. One writer can produce many
 * documents in turn ({@link #take()} returns one and starts the next), which lets a stream writer
 * keep its generator and buffers for the whole stream. Writing to memory cannot fail, so the
 * methods throw no checked exception.
 */
public final class JsonWriter {

    private final ByteArrayBuilder out;
    private final JsonGenerator gen;

    public JsonWriter() {
        this(256);
    }

    public JsonWriter(int initialCapacity) {
        out = new ByteArrayBuilder(initialCapacity);
        try {
            gen = JsonReader.FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gen.setRootValueSeparator(null);
    }

    /** The document written since the last call, as UTF-8 bytes; the writer is then empty. */
    public byte[] take() {
        try {
            gen.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        out.reset();
        return bytes;
    }

    public JsonWriter startObject() {
        try {
            gen.writeStartObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter endObject() {
        try {
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter startArray() {
        try {
            gen.writeStartArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter endArray() {
        try {
            gen.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A field name; pass a constant {@link SerializedString} on hot paths, it is quoted only once. */
    public JsonWriter field(SerializedString name) {
        try {
            gen.writeFieldName(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter field(String name) {
        try {
            gen.writeFieldName(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A string, or null for {@code null}. */
    public JsonWriter value(String s) {
        try {
            if (s == null) {
                gen.writeNull();
            } else {
                gen.writeString(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter value(SerializedString s) {
        try {
            gen.writeString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter value(long n) {
        try {
            gen.writeNumber(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter value(double n) {
        try {
            gen.writeNumber(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter value(float n) {
        try {
            gen.writeNumber(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter value(boolean b) {
        try {
            gen.writeBoolean(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter nullValue() {
        try {
            gen.writeNull();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A JSON value as it is (it was parsed once, so it is well-formed). */
    public JsonWriter raw(RawJson json) {
        return raw(json.json());
    }

    public JsonWriter raw(String json) {
        try {
            gen.writeRawValue(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public JsonWriter field(SerializedString name, String value) {
        return field(name).value(value);
    }

    public JsonWriter field(String name, String value) {
        return field(name).value(value);
    }

    /** Whether {@code text} is exactly one JSON value (whitespace around it allowed). */
    public static boolean isJson(String text) {
        try (JsonParser p = JsonReader.FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code text} is exactly one JSON object. */
    public static boolean isJsonObject(String text) {
        try (JsonParser p = JsonReader.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
