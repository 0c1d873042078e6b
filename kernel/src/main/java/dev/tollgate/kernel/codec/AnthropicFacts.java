package dev.tollgate.kernel.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.request.RequestFacts;
import java.io.IOException;

/**
 * Validates an Anthropic Messages body in one streaming pass and gathers its {@link RequestFacts}:
 * {@code model}, {@code max_tokens} and a non-empty {@code messages} are required, roles are
 * {@code user} or {@code assistant}, content is a string or typed blocks. Unknown fields pass
 * through.
 */
public final class AnthropicFacts {

    private AnthropicFacts() {}

    public static RequestFacts parse(RequestBody body) {
        return parse(body, true);
    }

    /** The body of {@code POST /v1/messages/count_tokens}: a Messages request without {@code max_tokens}. */
    public static RequestFacts parseCountTokens(RequestBody body) {
        return parse(body, false);
    }

    private static RequestFacts parse(RequestBody body, boolean maxTokensRequired) {
        State s = new State();
        BodyJson.readObject(body.array(), body.offset(), body.length(), (p, field, v) -> {
            switch (field) {
                case "model" -> s.model = BodyJson.model(p, v);
                case "max_tokens" -> {
                    s.maxTokens = BodyJson.positiveInt(p, v, field);
                    if (s.maxTokens < 0) {
                        throw GatewayException.invalidRequest("max_tokens", "'max_tokens' must be a positive integer");
                    }
                }
                case "messages" -> {
                    messages(p, v, s);
                    s.sawMessages = true;
                }
                case "system" -> system(p, v, s);
                case "stream" -> s.stream = BodyJson.bool(v, field);
                case "stop_sequences" -> BodyJson.array(p, v, field);
                case "temperature", "top_p" -> BodyJson.number(v, field);
                case "top_k" -> BodyJson.integer(v, field);
                case "tools" -> {
                    if (v == JsonToken.START_ARRAY) {
                        long bytes = BodyJson.skipMeasured(p);
                        s.estimate.tools(bytes);
                        s.tools |= bytes > 2;
                    } else {
                        BodyJson.array(p, v, field);
                    }
                }
                case "tool_choice" -> BodyJson.object(p, v, field);
                case "thinking" -> thinking(p, v, s);
                case "metadata" -> metadata(p, v, s);
                case "service_tier" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        BodyJson.string(p, v, field);
                    }
                }
                default -> p.skipChildren();
            }
        });
        if (s.model == null) {
            throw GatewayException.invalidRequest("model", "model: Field required");
        }
        if (s.maxTokens < 0 && maxTokensRequired) {
            throw GatewayException.invalidRequest("max_tokens", "max_tokens: Field required");
        }
        if (!s.sawMessages) {
            throw GatewayException.invalidRequest("messages", "messages: Field required");
        }
        return RequestFacts.builder(WireFormat.ANTHROPIC_MESSAGES, s.model)
                .stream(s.stream)
                .includeUsage(true)
                .maxTokens(s.maxTokens)
                .user(s.user)
                .promptTokenEstimate(s.estimate.tokens())
                .messageCount(s.messageCount)
                .usesTools(s.tools)
                .usesImages(s.estimate.images() > 0)
                .usesReasoning(s.reasoning)
                .build();
    }

    private static final class State {
        String model;
        int maxTokens = -1;
        boolean sawMessages;
        boolean stream;
        String user;
        boolean tools;
        boolean reasoning;
        int messageCount;
        final PromptEstimate estimate = new PromptEstimate();
    }

    private static void messages(JsonParser p, JsonToken v, State s) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw GatewayException.invalidRequest("messages", "messages: Input should be a valid list");
        }
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            String param = "messages." + index;
            if (t != JsonToken.START_OBJECT) {
                throw GatewayException.invalidRequest(param, param + ": Input should be an object");
            }
            boolean[] role = {false};
            boolean[] content = {false};
            BodyJson.readMembers(p, param, (mp, f, fv) -> {
                switch (f) {
                    case "role" -> {
                        String r = BodyJson.string(mp, fv, param + ".role");
                        if (!r.equals("user") && !r.equals("assistant")) {
                            throw GatewayException.invalidRequest(param + ".role", param + ".role: Input should be 'user' or 'assistant', not '"
                                    + BodyJson.printable(r) + "'");
                        }
                        role[0] = true;
                    }
                    case "content" -> {
                        blocks(mp, fv, param + ".content", s);
                        content[0] = true;
                    }
                    default -> mp.skipChildren();
                }
            });
            if (!role[0]) {
                throw GatewayException.invalidRequest(param + ".role", param + ".role: Field required");
            }
            if (!content[0]) {
                throw GatewayException.invalidRequest(param + ".content", param + ".content: Field required");
            }
            s.estimate.message();
            index++;
        }
        if (index == 0) {
            throw GatewayException.invalidRequest("messages", "messages: at least one message is required");
        }
        s.messageCount = index;
    }

    private static void system(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        blocks(p, v, "system", s);
    }

    private static void blocks(JsonParser p, JsonToken v, String param, State s) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            s.estimate.text(p.getTextLength());
            return;
        }
        if (v != JsonToken.START_ARRAY) {
            throw GatewayException.invalidRequest(param, param + ": Input should be a string or a list of content blocks");
        }
        int i = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            String blockParam = param + "." + i;
            if (t != JsonToken.START_OBJECT) {
                throw GatewayException.invalidRequest(blockParam, blockParam + ": Input should be an object with a type");
            }
            block(p, blockParam, s);
            i++;
        }
    }

    private static void block(JsonParser p, String param, State s) throws IOException {
        String[] type = {null};
        BodyJson.readMembers(p, param, (bp, f, fv) -> {
            switch (f) {
                case "type" -> type[0] = BodyJson.string(bp, fv, param + ".type");
                case "text", "thinking" -> {
                    if (fv == JsonToken.VALUE_STRING) {
                        s.estimate.text(bp.getTextLength());
                    } else {
                        throw GatewayException.invalidRequest(param + "." + f, param + "." + f + ": Input should be a valid string");
                    }
                }
                case "content" -> {
                    if (fv == JsonToken.VALUE_STRING) {
                        s.estimate.text(bp.getTextLength());
                    } else if (fv == JsonToken.START_ARRAY) {
                        blocks(bp, fv, param + ".content", s);
                    } else {
                        bp.skipChildren();
                    }
                }
                case "input" -> s.estimate.tools(BodyJson.skipMeasured(bp));
                default -> bp.skipChildren();
            }
        });
        if (type[0] == null) {
            throw GatewayException.invalidRequest(param + ".type", param + ".type: Field required");
        }
        switch (type[0]) {
            case "image" -> s.estimate.image();
            case "tool_use", "tool_result", "server_tool_use" -> s.tools = true;
            case "thinking", "redacted_thinking" -> s.reasoning = true;
            default -> { }
        }
    }

    private static void thinking(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            throw GatewayException.invalidRequest("thinking", "thinking: Input should be an object");
        }
        BodyJson.readMembers(p, "thinking", (tp, f, fv) -> {
            if (f.equals("type")) {
                s.reasoning |= "enabled".equals(BodyJson.string(tp, fv, "thinking.type"));
            } else {
                tp.skipChildren();
            }
        });
    }

    private static void metadata(JsonParser p, JsonToken v, State s) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return;
        }
        if (v != JsonToken.START_OBJECT) {
            throw GatewayException.invalidRequest("metadata", "metadata: Input should be an object");
        }
        BodyJson.readMembers(p, "metadata", (mp, f, fv) -> {
            if (f.equals("user_id") && fv != JsonToken.VALUE_NULL) {
                s.user = BodyJson.string(mp, fv, "metadata.user_id");
            } else {
                mp.skipChildren();
            }
        });
    }
}
