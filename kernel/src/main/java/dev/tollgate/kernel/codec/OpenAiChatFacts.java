package dev.tollgate.kernel.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;
import java.io.IOException;
import java.util.Set;

/**
 * Validates an OpenAI Chat Completions body in one streaming pass and gathers its
 * {@link RequestFacts}. Known fields must have the documented JSON type (the error names the
 * field); message roles must be known; unknown fields pass through untouched to the provider.
 */
public final class OpenAiChatFacts {

    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private OpenAiChatFacts() {}

    public static RequestFacts parse(RequestBody body) {
        State s = new State();
        BodyJson.readObject(body.array(), body.offset(), body.length(), (p, field, v) -> {
            switch (field) {
                case "model" -> s.model = BodyJson.model(p, v);
                case "messages" -> {
                    messages(p, v, s);
                    s.sawMessages = true;
                }
                case "stream" -> s.stream = BodyJson.bool(v, "stream");
                case "stream_options" -> streamOptions(p, v, s);
                case "temperature", "top_p", "presence_penalty", "frequency_penalty" -> BodyJson.number(v, field);
                case "max_tokens", "max_completion_tokens" -> {
                    int n = BodyJson.positiveInt(p, v, field);
                    if (n > 0) {
                        s.maxTokens = s.maxTokens < 0 ? n : Math.min(s.maxTokens, n);
                    }
                }
                case "n", "seed", "top_logprobs" -> BodyJson.integer(v, field);
                case "logprobs", "parallel_tool_calls", "store" -> BodyJson.bool(v, field);
                case "user" -> s.user = v == JsonToken.VALUE_NULL ? null : BodyJson.string(p, v, field);
                case "reasoning_effort" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        BodyJson.string(p, v, field);
                        s.reasoning = true;
                    }
                }
                case "service_tier" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        BodyJson.string(p, v, field);
                    }
                }
                case "stop" -> BodyJson.stringOrArray(p, v, field);
                case "tools", "functions" -> s.tools |= BodyJson.toolArray(p, v, field, s.estimate);
                case "modalities" -> BodyJson.array(p, v, field);
                case "response_format" -> responseFormat(p, v, s);
                case "metadata" -> BodyJson.stringMetadata(p, v, s.metadata);
                case "logit_bias" -> BodyJson.object(p, v, field);
                case "tool_choice", "function_call" -> BodyJson.stringOrObject(p, v, field);
                default -> p.skipChildren();
            }
        });
        if (s.model == null) {
            throw GatewayException.invalidRequest("model", "you must provide a model parameter");
        }
        if (!s.sawMessages) {
            throw GatewayException.invalidRequest("messages", "missing required parameter: 'messages'");
        }
        RequestFacts.Builder b = RequestFacts.builder(WireFormat.OPENAI_CHAT, s.model)
                .stream(s.stream)
                .includeUsage(s.includeUsage)
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
        boolean sawMessages;
        boolean stream;
        boolean includeUsage;
        int maxTokens = -1;
        String user;
        boolean tools;
        boolean jsonSchema;
        boolean reasoning;
        int messageCount;
        final PromptEstimate estimate = new PromptEstimate();
        final java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();
    }

    private static void messages(JsonParser p, JsonToken v, State s) throws IOException {
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
            boolean[] role = {false};
            BodyJson.readMembers(p, param, (mp, f, fv) -> {
                switch (f) {
                    case "role" -> {
                        String r = BodyJson.string(mp, fv, param + ".role");
                        if (!ROLES.contains(r)) {
                            throw GatewayException.invalidRequest(param + ".role", "'" + param + ".role' is '" + BodyJson.printable(r)
                                    + "', which is not one of system, developer, user, assistant, tool");
                        }
                        role[0] = true;
                    }
                    case "content" -> content(mp, fv, param + ".content", s);
                    case "tool_calls" -> {
                        if (fv == JsonToken.START_ARRAY) {
                            s.estimate.tools(BodyJson.skipMeasured(mp));
                            s.tools = true;
                        } else {
                            BodyJson.array(mp, fv, param + ".tool_calls");
                        }
                    }
                    case "tool_call_id" -> {
                        s.tools = true;
                        mp.skipChildren();
                    }
                    default -> mp.skipChildren();
                }
            });
            if (!role[0]) {
                throw GatewayException.invalidRequest(param + ".role", "missing required parameter: '" + param + ".role'");
            }
            s.estimate.message();
            index++;
        }
        if (index == 0) {
            throw GatewayException.invalidRequest("messages", "'messages' must contain at least one message");
        }
        s.messageCount = index;
    }

    private static void content(JsonParser p, JsonToken v, String param, State s) throws IOException {
        switch (v) {
            case VALUE_STRING -> s.estimate.text(p.getTextLength());
            case VALUE_NULL -> { }
            case START_ARRAY -> {
                int i = 0;
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    String partParam = param + "[" + i + "]";
                    if (t != JsonToken.START_OBJECT) {
                        throw GatewayException.invalidRequest(partParam, "'" + partParam + "' must be an object with a type");
                    }
                    part(p, partParam, s);
                    i++;
                }
            }
            default -> throw GatewayException.invalidRequest(param, "'" + param + "' must be a string or an array of content parts");
        }
    }

    private static void part(JsonParser p, String param, State s) throws IOException {
        String[] type = {null};
        BodyJson.readMembers(p, param, (pp, f, fv) -> {
            switch (f) {
                case "type" -> type[0] = BodyJson.string(pp, fv, param + ".type");
                case "text", "refusal" -> {
                    if (fv == JsonToken.VALUE_STRING) {
                        s.estimate.text(pp.getTextLength());
                    } else {
                        throw GatewayException.invalidRequest(param + "." + f, "'" + param + "." + f + "' must be a string");
                    }
                }
                default -> pp.skipChildren();
            }
        });
        if (type[0] == null) {
            throw GatewayException.invalidRequest(param + ".type", "missing required parameter: '" + param + ".type'");
        }
        if (type[0].equals("image_url")) {
            s.estimate.image();
        }
    }

    private static void streamOptions(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            throw GatewayException.invalidRequest("stream_options", "'stream_options' must be an object");
        }
        BodyJson.readMembers(p, "stream_options", (sp, f, fv) -> {
            if (f.equals("include_usage")) {
                s.includeUsage = BodyJson.bool(fv, "stream_options.include_usage");
            } else {
                sp.skipChildren();
            }
        });
    }

    private static void responseFormat(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            throw GatewayException.invalidRequest("response_format", "'response_format' must be an object");
        }
        BodyJson.readMembers(p, "response_format", (rp, f, fv) -> {
            if (f.equals("type")) {
                String type = BodyJson.string(rp, fv, "response_format.type");
                s.jsonSchema = type.equals("json_schema");
            } else {
                rp.skipChildren();
            }
        });
    }
}
