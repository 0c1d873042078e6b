package dev.tollgate.kernel.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;
import java.io.IOException;

/**
 * Validates an OpenAI embeddings body and gathers its facts: {@code messageCount} is the number of
 * inputs, the prompt estimate counts text at four characters per token and token arrays exactly.
 */
public final class EmbeddingsFacts {

    /** The facts, and whether the client asked for base64 vectors. */
    public record Parsed(RequestFacts facts, boolean base64) {}

    private EmbeddingsFacts() {}

    public static Parsed parse(RequestBody body) {
        String[] model = {null};
        boolean[] sawInput = {false};
        boolean[] base64 = {false};
        String[] user = {null};
        long[] counts = {0, 0, 0};
        BodyJson.readObject(body.array(), body.offset(), body.length(), (p, field, v) -> {
            switch (field) {
                case "model" -> model[0] = BodyJson.model(p, v);
                case "input" -> {
                    input(p, v, counts);
                    sawInput[0] = true;
                }
                case "dimensions" -> BodyJson.integer(v, field);
                case "encoding_format" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        String f = BodyJson.string(p, v, field);
                        if (!f.equals("float") && !f.equals("base64")) {
                            throw GatewayException.invalidRequest(field, "'encoding_format' must be 'float' or 'base64'");
                        }
                        base64[0] = f.equals("base64");
                    }
                }
                case "user" -> user[0] = v == JsonToken.VALUE_NULL ? null : BodyJson.string(p, v, field);
                default -> p.skipChildren();
            }
        });
        if (model[0] == null) {
            throw GatewayException.invalidRequest("model", "you must provide a model parameter");
        }
        if (!sawInput[0]) {
            throw GatewayException.invalidRequest("input", "missing required parameter: 'input'");
        }
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_EMBEDDINGS, model[0])
                .user(user[0])
                .messageCount((int) Math.min(Integer.MAX_VALUE, counts[0]))
                .promptTokenEstimate((counts[1] + 3) / 4 + counts[2])
                .build();
        return new Parsed(facts, base64[0]);
    }

    /** counts: inputs, characters, tokens given as arrays. */
    private static void input(JsonParser p, JsonToken v, long[] counts) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            counts[0] = 1;
            counts[1] += p.getTextLength();
            return;
        }
        if (v != JsonToken.START_ARRAY) {
            throw GatewayException.invalidRequest("input", "'input' must be a string or an array");
        }
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_ARRAY) {
            throw GatewayException.invalidRequest("input", "'input' must not be empty");
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            counts[0] = 1;
            do {
                counts[2]++;
            } while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_INT);
            if (t != JsonToken.END_ARRAY) {
                throw GatewayException.invalidRequest("input", "'input' must be an array of strings, or of token arrays");
            }
            return;
        }
        do {
            if (t == JsonToken.VALUE_STRING) {
                counts[1] += p.getTextLength();
            } else if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_INT) {
                    counts[2]++;
                }
                if (t != JsonToken.END_ARRAY) {
                    throw GatewayException.invalidRequest("input", "a token array in 'input' must hold integers");
                }
            } else {
                throw GatewayException.invalidRequest("input", "'input' must be an array of strings, or of token arrays");
            }
            counts[0]++;
        } while ((t = p.nextToken()) != JsonToken.END_ARRAY);
    }
}
