package dev.tollgate.kernel.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validates an OpenAI Responses body in one streaming pass and gathers its {@link RequestFacts}:
 * {@code model} and {@code input} are required, {@code input} is a string or an array of item
 * objects, known fields have their documented JSON type. The item-level checks (types, roles,
 * parts) are the translator's ({@code ResponsesRequests}), which names the field too.
 */
public final class ResponsesFacts {

    private ResponsesFacts() {}

    public static RequestFacts parse(RequestBody body) {
        State s = new State();
        BodyJson.readObject(body.array(), body.offset(), body.length(), (p, field, v) -> {
            switch (field) {
                case "model" -> s.model = BodyJson.model(p, v);
                case "input" -> {
                    input(p, v, s);
                    s.sawInput = true;
                }
                case "instructions" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        s.estimate.text(p.getTextLength());
                    } else if (v != JsonToken.VALUE_NULL) {
                        throw GatewayException.invalidRequest("instructions", "'instructions' must be a string");
                    }
                }
                case "stream", "store", "parallel_tool_calls" -> {
                    boolean b = BodyJson.bool(v, field);
                    if (field.equals("stream")) {
                        s.stream = b;
                    }
                }
                case "max_output_tokens" -> s.maxTokens = BodyJson.positiveInt(p, v, field);
                case "temperature", "top_p" -> BodyJson.number(v, field);
                case "user" -> s.user = v == JsonToken.VALUE_NULL ? null : BodyJson.string(p, v, field);
                case "tools" -> s.tools |= BodyJson.toolArray(p, v, field, s.estimate);
                case "tool_choice" -> BodyJson.stringOrObject(p, v, field);
                case "text" -> text(p, v, s);
                case "reasoning" -> {
                    BodyJson.object(p, v, field);
                    s.reasoning = v == JsonToken.START_OBJECT;
                }
                case "metadata" -> BodyJson.stringMetadata(p, v, s.metadata);
                default -> p.skipChildren();
            }
        });
        if (s.model == null) {
            throw GatewayException.invalidRequest("model", "you must provide a model parameter");
        }
        if (!s.sawInput) {
            throw GatewayException.invalidRequest("input", "missing required parameter: 'input'");
        }
        RequestFacts.Builder b = RequestFacts.builder(WireFormat.OPENAI_RESPONSES, s.model)
                .stream(s.stream)
                .includeUsage(true)
                .maxTokens(s.maxTokens)
                .user(s.user)
                .promptTokenEstimate(s.estimate.tokens())
                .messageCount(s.messageCount)
                .usesTools(s.tools)
                .usesImages(s.estimate.images() > 0)
                .usesJsonSchema(s.jsonSchema)
                .usesReasoning(s.reasoning);
        s.metadata.forEach(b::metadata);
        return b.build();
    }

    private static final class State {
        String model;
        boolean sawInput;
        boolean stream;
        int maxTokens = -1;
        String user;
        boolean tools;
        boolean jsonSchema;
        boolean reasoning;
        int messageCount;
        final PromptEstimate estimate = new PromptEstimate();
        final Map<String, String> metadata = new LinkedHashMap<>();
    }

    private static void input(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            s.estimate.text(p.getTextLength());
            s.estimate.message();
            s.messageCount = 1;
            return;
        }
        if (v != JsonToken.START_ARRAY) {
            throw GatewayException.invalidRequest("input", "'input' must be a string or an array of input items");
        }
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            String param = "input[" + index + "]";
            if (t != JsonToken.START_OBJECT) {
                throw GatewayException.invalidRequest(param, "'" + param + "' must be an object");
            }
            BodyJson.readMembers(p, param, (ip, f, fv) -> {
                switch (f) {
                    case "content" -> content(ip, fv, s);
                    case "arguments", "output" -> {
                        if (fv == JsonToken.VALUE_STRING) {
                            s.estimate.text(ip.getTextLength());
                        } else {
                            s.estimate.tools(BodyJson.skipMeasured(ip));
                        }
                    }
                    case "type" -> {
                        String type = BodyJson.string(ip, fv, param + ".type");
                        s.tools |= type.startsWith("function_call");
                        s.reasoning |= type.equals("reasoning");
                    }
                    default -> ip.skipChildren();
                }
            });
            s.estimate.message();
            index++;
        }
        if (index == 0) {
            throw GatewayException.invalidRequest("input", "'input' must hold at least one item");
        }
        s.messageCount = index;
    }

    private static void content(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            s.estimate.text(p.getTextLength());
            return;
        }
        if (v != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            BodyJson.readMembers(p, "input.content", (cp, f, fv) -> {
                if (f.equals("text") && fv == JsonToken.VALUE_STRING) {
                    s.estimate.text(cp.getTextLength());
                } else if (f.equals("type") && fv == JsonToken.VALUE_STRING && cp.getText().equals("input_image")) {
                    s.estimate.image();
                } else {
                    cp.skipChildren();
                }
            });
        }
    }

    private static void text(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            throw GatewayException.invalidRequest("text", "'text' must be an object");
        }
        BodyJson.readMembers(p, "text", (tp, f, fv) -> {
            if (f.equals("format") && fv == JsonToken.START_OBJECT) {
                BodyJson.readMembers(tp, "text.format", (fp, g, gv) -> {
                    if (g.equals("type")) {
                        s.jsonSchema = BodyJson.string(fp, gv, "text.format.type").equals("json_schema");
                    } else {
                        fp.skipChildren();
                    }
                });
            } else if (f.equals("format") && fv != JsonToken.VALUE_NULL) {
                throw GatewayException.invalidRequest("text.format", "'text.format' must be an object");
            } else {
                tp.skipChildren();
            }
        });
    }
}
