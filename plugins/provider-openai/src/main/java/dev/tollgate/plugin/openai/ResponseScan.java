package dev.tollgate.plugin.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.provider.Usage;
import java.io.IOException;

/**
 * One streaming pass over a response body or stream chunk that reads only the top level: the
 * {@code usage} object, whether {@code choices} and {@code data} are arrays (and {@code choices}
 * an empty one), and an {@code error}. Every other subtree is skipped.
 *
 * @param usage        the reported usage, or {@code null} when there is no usage object
 * @param choices      whether a {@code choices} array is present
 * @param choicesEmpty whether that array is empty
 * @param data         whether a {@code data} array is present
 * @param error        the {@code error} value, or {@code null} when there is none
 */
record ResponseScan(Usage usage, boolean choices, boolean choicesEmpty, boolean data, UpstreamError error) {

    /** @throws IOException when {@code json} is not a JSON object */
    static ResponseScan of(Bytes json) throws IOException {
        try (JsonParser p = Json.parser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            Usage usage = null;
            boolean choices = false;
            boolean choicesEmpty = false;
            boolean data = false;
            UpstreamError error = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT) {
                            usage = readUsage(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "choices" -> {
                        if (value == JsonToken.START_ARRAY) {
                            choices = true;
                            choicesEmpty = p.nextToken() == JsonToken.END_ARRAY;
                            if (!choicesEmpty) {
                                p.skipChildren();
                                skipRestOfArray(p);
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "data" -> {
                        data = value == JsonToken.START_ARRAY;
                        p.skipChildren();
                    }
                    case "error" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            error = UpstreamError.read(p);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IOException("JSON object not closed");
            }
            return new ResponseScan(usage, choices, choicesEmpty, data, error);
        }
    }

    private static void skipRestOfArray(JsonParser p) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("JSON array not closed");
            }
            p.skipChildren();
        }
    }

    private static Usage readUsage(JsonParser p) throws IOException {
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        long reasoning = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "prompt_tokens" -> prompt = Json.count(p);
                case "completion_tokens" -> completion = Json.count(p);
                case "prompt_tokens_details" -> {
                    if (value == JsonToken.START_OBJECT) {
                        cached = readDetail(p, "cached_tokens");
                    } else {
                        p.skipChildren();
                    }
                }
                case "completion_tokens_details" -> {
                    if (value == JsonToken.START_OBJECT) {
                        reasoning = readDetail(p, "reasoning_tokens");
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new Usage(prompt, completion, cached, 0, reasoning);
    }

    private static long readDetail(JsonParser p, String field) throws IOException {
        long found = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals(field)) {
                found = Json.count(p);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}
