package dev.tollgate.kernel.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.tollgate.spi.GatewayException;
import java.io.IOException;

/**
 * Validates an OpenAI request body in one streaming pass and extracts what the kernel needs (model,
 * stream flags), without building a tree. Known fields must have the documented JSON type; the
 * error names the field. Unknown fields are passed through untouched to the provider.
 */
public final class RequestParser {

    /** What the kernel needs of a chat completion request. */
    public record ChatFields(String model, boolean stream, boolean includeUsage) {}

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private RequestParser() {}

    public static ChatFields chat(byte[] body) {
        ChatState state = new ChatState();
        readObject(body, (p, field, v) -> {
            switch (field) {
                case "model" -> state.model = string(p, v, "model");
                case "messages" -> {
                    messages(p, v);
                    state.sawMessages = true;
                }
                case "stream" -> state.stream = bool(p, v, "stream");
                case "stream_options" -> state.includeUsage = streamOptions(p, v);
                case "temperature", "top_p", "presence_penalty", "frequency_penalty" -> number(v, field);
                case "max_tokens", "max_completion_tokens", "n", "seed", "top_logprobs" -> integer(v, field);
                case "logprobs", "parallel_tool_calls", "store" -> bool(p, v, field);
                case "user", "service_tier", "reasoning_effort" -> string(p, v, field);
                case "stop" -> stringOrArray(p, v, field);
                case "tools", "functions", "modalities" -> array(p, v, field);
                case "response_format", "logit_bias", "metadata" -> object(p, v, field);
                case "tool_choice", "function_call" -> stringOrObject(p, v, field);
                default -> p.skipChildren();
            }
        });
        if (state.model == null) {
            throw GatewayException.invalidRequest("model", "you must provide a model parameter");
        }
        if (!state.sawMessages) {
            throw GatewayException.invalidRequest("messages", "missing required parameter: 'messages'");
        }
        return new ChatFields(state.model, state.stream, state.includeUsage);
    }

    /** Validates an embeddings request and returns its model. */
    public static String embeddings(byte[] body) {
        String[] model = {null};
        boolean[] sawInput = {false};
        readObject(body, (p, field, v) -> {
            switch (field) {
                case "model" -> model[0] = string(p, v, "model");
                case "input" -> {
                    input(p, v);
                    sawInput[0] = true;
                }
                case "dimensions" -> integer(v, field);
                case "encoding_format", "user" -> string(p, v, field);
                default -> p.skipChildren();
            }
        });
        if (model[0] == null) {
            throw GatewayException.invalidRequest("model", "you must provide a model parameter");
        }
        if (!sawInput[0]) {
            throw GatewayException.invalidRequest("input", "missing required parameter: 'input'");
        }
        return model[0];
    }

    /** Reads one member of the request's top-level object. */
    private interface Member {
        void read(JsonParser p, String field, JsonToken value) throws IOException;
    }

    private static final class ChatState {
        String model;
        boolean stream;
        boolean includeUsage;
        boolean sawMessages;
    }

    /** Walks the body's top-level object, handing each member to {@code member}; any JSON error is a 400. */
    private static void readObject(byte[] body, Member member) {
        try (JsonParser p = JSON.createParser(body)) {
            startObject(p);
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                member.read(p, field, p.nextToken());
            }
            end(p, t);
        } catch (IOException e) {
            throw invalidJson();
        }
    }

    private static void input(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return;
        }
        if (v != JsonToken.START_ARRAY) {
            throw GatewayException.invalidRequest("input", "'input' must be a string or an array");
        }
        if (p.nextToken() == JsonToken.END_ARRAY) {
            throw GatewayException.invalidRequest("input", "'input' must not be empty");
        }
        p.skipChildren();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
        }
    }

    private static void startObject(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            if (first == null) {
                throw GatewayException.invalidRequest(null, "the request body is empty; send a JSON object");
            }
            throw GatewayException.invalidRequest(null, "the request body must be a JSON object");
        }
    }

    private static void end(JsonParser p, JsonToken last) throws IOException {
        if (last != JsonToken.END_OBJECT) {
            throw invalidJson();
        }
        if (p.nextToken() != null) {
            throw GatewayException.invalidRequest(null, "the request body holds more than one JSON value");
        }
    }

    private static void messages(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw GatewayException.invalidRequest("messages", "'messages' must be an array of message objects");
        }
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            String param = "messages[" + index + "]";
            if (t != JsonToken.START_OBJECT) {
                throw GatewayException.invalidRequest(param, "'" + param + "' must be an object with a role");
            }
            boolean role = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken fv = p.nextToken();
                if (f.equals("role")) {
                    string(p, fv, param + ".role");
                    role = true;
                } else {
                    p.skipChildren();
                }
            }
            if (!role) {
                throw GatewayException.invalidRequest(param + ".role", "missing required parameter: '" + param + ".role'");
            }
            index++;
        }
        if (index == 0) {
            throw GatewayException.invalidRequest("messages", "'messages' must contain at least one message");
        }
    }

    private static boolean streamOptions(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return false;
        }
        if (v != JsonToken.START_OBJECT) {
            throw GatewayException.invalidRequest("stream_options", "'stream_options' must be an object");
        }
        boolean include = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken fv = p.nextToken();
            if (f.equals("include_usage")) {
                include = bool(p, fv, "stream_options.include_usage");
            } else {
                p.skipChildren();
            }
        }
        return include;
    }

    private static String string(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string");
        }
        String s = p.getText();
        if (field.equals("model") && s.isEmpty()) {
            throw GatewayException.invalidRequest(field, "'model' must not be empty");
        }
        return s;
    }

    private static boolean bool(JsonParser p, JsonToken v, String field) {
        if (v == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (v == JsonToken.VALUE_FALSE || v == JsonToken.VALUE_NULL) {
            return false;
        }
        throw GatewayException.invalidRequest(field, "'" + field + "' must be a boolean");
    }

    private static void number(JsonToken v, String field) {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a number");
        }
    }

    private static void integer(JsonToken v, String field) {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an integer");
        }
    }

    private static void array(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.START_ARRAY && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an array");
        }
        p.skipChildren();
    }

    private static void object(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an object");
        }
        p.skipChildren();
    }

    private static void stringOrArray(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING && v != JsonToken.START_ARRAY && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string or an array of strings");
        }
        p.skipChildren();
    }

    private static void stringOrObject(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING && v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string or an object");
        }
        p.skipChildren();
    }

    private static GatewayException invalidJson() {
        return GatewayException.invalidRequest(null,
                "we could not parse the JSON body of your request; send valid JSON (Content-Type: application/json)");
    }
}
