package dev.tollgate.kernel.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.tollgate.spi.GatewayException;
import java.io.IOException;

/**
 * The one validating pass over a request body that every inbound codec builds on: the body must
 * be UTF-8 JSON holding one object (a UTF-8 byte-order mark is skipped, UTF-16 and UTF-32 are
 * refused), top-level keys must be unique (so that routing and the provider never read different
 * values of the same field), and nesting is bounded. Members are handed to a visitor one by one on
 * a streaming parser; no tree is built.
 */
public final class BodyJson {

    static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(Integer.MAX_VALUE).build())
            .build();

    private static final int MAX_TOP_LEVEL_KEYS = 256;

    private BodyJson() {}

    /** Reads one member of the top-level object; the parser is on the member's value. */
    public interface Member {
        void read(JsonParser p, String field, JsonToken value) throws IOException;
    }

    /**
     * Where the JSON of {@code body} starts: 0, or 3 after a UTF-8 byte-order mark.
     *
     * @throws GatewayException 400 when the body is UTF-16 or UTF-32
     */
    public static int start(byte[] body) {
        if (body.length >= 2) {
            int b0 = body[0] & 0xff;
            int b1 = body[1] & 0xff;
            if (b0 == 0 || b1 == 0 || (b0 == 0xfe && b1 == 0xff) || (b0 == 0xff && b1 == 0xfe)) {
                throw GatewayException.invalidRequest(null, "the request body must be UTF-8 encoded JSON");
            }
            if (body.length >= 3 && b0 == 0xef && b1 == 0xbb && (body[2] & 0xff) == 0xbf) {
                return 3;
            }
        }
        return 0;
    }

    /** Walks the top-level object of {@code body[offset, offset+length)}; any JSON error is a 400, a repeated key too. */
    public static void readObject(byte[] body, int offset, int length, Member member) {
        String[] seen = new String[8];
        int count = 0;
        try (JsonParser p = JSON.createParser(body, offset, length)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first == null) {
                    throw GatewayException.invalidRequest(null, "the request body is empty; send a JSON object");
                }
                throw GatewayException.invalidRequest(null, "the request body must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                for (int i = 0; i < count; i++) {
                    if (seen[i].equals(field)) {
                        throw GatewayException.invalidRequest(field, "the request body holds the key '" + printable(field)
                                + "' more than once");
                    }
                }
                if (count == seen.length) {
                    if (count == MAX_TOP_LEVEL_KEYS) {
                        throw GatewayException.invalidRequest(null, "the request body has more than " + MAX_TOP_LEVEL_KEYS + " top-level keys");
                    }
                    seen = java.util.Arrays.copyOf(seen, count * 2);
                }
                seen[count++] = field;
                member.read(p, field, p.nextToken());
            }
            if (t != JsonToken.END_OBJECT) {
                throw invalidJson();
            }
            if (p.nextToken() != null) {
                throw GatewayException.invalidRequest(null, "the request body holds more than one JSON value");
            }
        } catch (IOException e) {
            throw invalidJson();
        }
    }

    /** Reads an object's members, refusing repeated keys there too; {@code path} names the object in errors. */
    public static void readMembers(JsonParser p, String path, Member member) throws IOException {
        String[] seen = new String[4];
        int count = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            for (int i = 0; i < count; i++) {
                if (seen[i].equals(field)) {
                    throw GatewayException.invalidRequest(path + "." + field, "'" + path + "' holds the key '" + printable(field)
                            + "' more than once");
                }
            }
            if (count == seen.length) {
                seen = java.util.Arrays.copyOf(seen, count * 2);
            }
            seen[count++] = field;
            member.read(p, field, p.nextToken());
        }
    }

    public static String string(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string");
        }
        return p.getText();
    }

    public static String model(JsonParser p, JsonToken v) throws IOException {
        String s = string(p, v, "model");
        if (s.isEmpty()) {
            throw GatewayException.invalidRequest("model", "'model' must not be empty");
        }
        return s;
    }

    public static boolean bool(JsonToken v, String field) {
        if (v == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (v == JsonToken.VALUE_FALSE || v == JsonToken.VALUE_NULL) {
            return false;
        }
        throw GatewayException.invalidRequest(field, "'" + field + "' must be a boolean");
    }

    public static void number(JsonToken v, String field) {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a number");
        }
    }

    public static void integer(JsonToken v, String field) {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an integer");
        }
    }

    /** A positive integer, or -1 for null; values above {@code Integer.MAX_VALUE} read as that. */
    public static int positiveInt(JsonParser p, JsonToken v, String field) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return -1;
        }
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an integer");
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 1) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a positive integer");
        }
        return (int) Math.min(Integer.MAX_VALUE, p.getLongValue());
    }

    public static void array(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.START_ARRAY && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an array");
        }
        p.skipChildren();
    }

    public static void object(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an object");
        }
        p.skipChildren();
    }

    public static void stringOrArray(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING && v != JsonToken.START_ARRAY && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string or an array of strings");
        }
        p.skipChildren();
    }

    public static void stringOrObject(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING && v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string or an object");
        }
        p.skipChildren();
    }

    /** Bytes of the value the parser is on, skipped; used for the share of tool definitions in the prompt estimate. */
    public static long skipMeasured(JsonParser p) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        return start < 0 || end < start ? 0 : end - start;
    }

    /**
     * An OpenAI {@code metadata} object of strings into {@code into} (at most 64 entries are kept);
     * null is none, anything else a 400 naming the field.
     */
    public static void stringMetadata(JsonParser p, JsonToken v, java.util.Map<String, String> into) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            throw GatewayException.invalidRequest("metadata", "'metadata' must be an object of strings");
        }
        readMembers(p, "metadata", (mp, f, fv) -> {
            if (fv != JsonToken.VALUE_STRING) {
                throw GatewayException.invalidRequest("metadata." + f, "'metadata." + printable(f) + "' must be a string");
            }
            if (into.size() < 64) {
                into.put(f, mp.getText());
            }
        });
    }

    /** A {@code tools} array, skipped but measured into the prompt estimate; whether it held any tool. */
    public static boolean toolArray(JsonParser p, JsonToken v, String field, PromptEstimate estimate) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            array(p, v, field);
            return false;
        }
        long bytes = skipMeasured(p);
        estimate.tools(bytes);
        return bytes > 2;
    }

    public static GatewayException invalidJson() {
        return GatewayException.invalidRequest(null,
                "we could not parse the JSON body of your request; send valid JSON (Content-Type: application/json)");
    }

    public static String printable(String s) {
        String p = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return p.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
