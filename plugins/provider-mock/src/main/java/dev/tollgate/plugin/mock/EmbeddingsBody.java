package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What the mock needs from an OpenAI embeddings request.
 *
 * @param inputs     one entry per input: a string, or a token array taken as one input
 * @param base64     whether {@code encoding_format} is {@code base64}
 * @param dimensions the request's {@code dimensions}, or -1 when absent
 */
record EmbeddingsBody(List<Input> inputs, boolean base64, int dimensions) {

    /**
     * One input.
     *
     * @param hash   a hash of its text or token ids
     * @param tokens its words, or the length of a token array
     */
    record Input(long hash, long tokens) {}

    static final int MAX_DIMENSIONS = 16_384;

    private static final String TOKENS_MARKER = "\u0000tokens:";

    static EmbeddingsBody parse(JsonFactory json, Bytes body) {
        try (InputStream in = body.openStream(); JsonParser p = json.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw GatewayException.invalidRequest(null, "the request body must be a JSON object");
            }
            List<Input> inputs = null;
            boolean base64 = false;
            int dimensions = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "input" -> inputs = inputs(p, value);
                    case "encoding_format" -> base64 = base64(p, value);
                    case "dimensions" -> dimensions = dimensions(p, value);
                    default -> p.skipChildren();
                }
            }
            if (inputs == null) {
                throw GatewayException.invalidRequest("input", "'input' is required");
            }
            return new EmbeddingsBody(List.copyOf(inputs), base64, dimensions);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "the request body is not valid JSON");
        }
    }

    private static List<Input> inputs(JsonParser p, JsonToken value) throws IOException {
        List<Input> out = new ArrayList<>();
        if (value == JsonToken.VALUE_STRING) {
            out.add(text(p.getText()));
            return out;
        }
        if (value != JsonToken.START_ARRAY) {
            throw invalidInput();
        }
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_ARRAY) {
            throw GatewayException.invalidRequest("input", "'input' must not be empty");
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            out.add(tokens(p));
            return out;
        }
        for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.VALUE_STRING) {
                out.add(text(p.getText()));
            } else if (t == JsonToken.START_ARRAY) {
                if (p.nextToken() == JsonToken.END_ARRAY) {
                    throw GatewayException.invalidRequest("input", "a token array must not be empty");
                }
                out.add(tokens(p));
            } else {
                throw invalidInput();
            }
        }
        return out;
    }

    private static Input text(String s) {
        if (s.isEmpty()) {
            throw GatewayException.invalidRequest("input", "an input must not be an empty string");
        }
        return new Input(TextHash.mix(TextHash.START, s), Words.count(s));
    }

    /** Reads a token array whose first element is the current token, through its END_ARRAY. */
    private static Input tokens(JsonParser p) throws IOException {
        long hash = TextHash.mix(TextHash.START, TOKENS_MARKER);
        long count = 0;
        for (JsonToken t = p.currentToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw invalidInput();
            }
            hash = TextHash.mix(TextHash.mix(hash, p.getText()), ',');
            count++;
        }
        return new Input(hash, count);
    }

    private static boolean base64(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return false;
        }
        String format = value == JsonToken.VALUE_STRING ? p.getText() : "";
        return switch (format) {
            case "float" -> false;
            case "base64" -> true;
            default -> throw GatewayException.invalidRequest("encoding_format",
                    "'encoding_format' must be 'float' or 'base64'");
        };
    }

    private static int dimensions(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return -1;
        }
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 1
                || p.getIntValue() > MAX_DIMENSIONS) {
            throw GatewayException.invalidRequest("dimensions",
                    "'dimensions' must be an integer from 1 to " + MAX_DIMENSIONS);
        }
        return p.getIntValue();
    }

    private static GatewayException invalidInput() {
        return GatewayException.invalidRequest("input",
                "'input' must be a string, an array of strings, an array of token ids or an array of token arrays");
    }
}
