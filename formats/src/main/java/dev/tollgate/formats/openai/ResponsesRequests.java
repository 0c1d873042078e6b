package dev.tollgate.formats.openai;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Reasoning;
import dev.tollgate.spi.chat.ResponseFormat;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.ToolChoice;
import dev.tollgate.spi.chat.WireFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI Responses requests ({@code POST /v1/responses}) into the canonical model, stateless:
 * {@code input} as a string or as items (messages with text and image parts, {@code function_call}
 * and {@code function_call_output} items), {@code instructions} and system or developer messages as
 * the system prompt, function tools, {@code tool_choice}, {@code text.format}, {@code reasoning}.
 * What it cannot carry is refused with the field named, never dropped silently.
 */
public final class ResponsesRequests {

    private ResponsesRequests() {}

    /** @throws FormatException when the request is not one this gateway can translate; {@link FormatException#param()} names the field */
    public static ChatRequest parse(byte[] bytes, int offset, int length, Warnings warnings) {
        try (JsonReader r = JsonReader.of(bytes, offset, length)) {
            ChatRequest request = parse(r, warnings);
            r.end();
            return request;
        }
    }

    private static ChatRequest parse(JsonReader r, Warnings warnings) {
        r.rootObject("a responses request");
        ChatRequest.Builder b = ChatRequest.builder();
        Map<String, RawJson> extra = new LinkedHashMap<>();
        List<ContentBlock> system = new ArrayList<>();
        List<ContentBlock> inputSystem = new ArrayList<>();
        List<Message> messages = null;
        String model = null;
        Integer maxTokens = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "model" -> model = r.string("model");
                case "input" -> messages = readInput(r, inputSystem, warnings);
                case "instructions" -> {
                    String s = r.stringOrNull("instructions");
                    if (s != null && !s.isEmpty()) {
                        system.add(ContentBlock.Text.of(s));
                    }
                }
                case "tools" -> {
                    if (r.arrayOrNull("tools")) {
                        b.tools(readTools(r));
                    }
                }
                case "tool_choice" -> b.toolChoice(readToolChoice(r));
                case "parallel_tool_calls" -> b.parallelToolCalls(r.boolOrNull(f));
                case "text" -> b.responseFormat(readText(r));
                case "max_output_tokens" -> maxTokens = r.intOrNull(f);
                case "reasoning" -> b.reasoning(readReasoning(r, warnings));
                case "temperature" -> b.temperature(r.doubleOrNull(f));
                case "top_p" -> b.topP(r.doubleOrNull(f));
                case "user" -> b.user(r.stringOrNull(f));
                case "metadata" -> b.metadata(OpenAiChatRequests.readStringMap(r, f));
                case "stream" -> b.stream(Boolean.TRUE.equals(r.boolOrNull(f)));
                case "store" -> r.boolOrNull(f);
                case "background" -> {
                    if (Boolean.TRUE.equals(r.boolOrNull(f))) {
                        throw new FormatException("background is not supported by this gateway: answers are streamed or "
                                + "returned on the request's own connection", f);
                    }
                }
                case "previous_response_id" -> {
                    if (!r.isNull()) {
                        throw new FormatException("previous_response_id names a response this gateway does not hold; only a "
                                + "deployment that passes Responses through to its provider can continue it", f);
                    }
                }
                case "conversation", "prompt" -> {
                    if (!r.isNull()) {
                        throw new FormatException(f + " is not supported by this gateway", f);
                    }
                }
                default -> extra.put(f, r.raw());
            }
        }
        if (model == null) {
            throw new FormatException("model is required", "model");
        }
        if (messages == null || messages.isEmpty()) {
            throw new FormatException("input is required", "input");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new FormatException("max_output_tokens must be at least 1", "max_output_tokens");
        }
        system.addAll(inputSystem);
        try {
            // A streamed Responses answer always ends with the usage, so the canonical stream carries it.
            return b.model(model).system(system).messages(messages).maxTokens(maxTokens).includeUsage(true)
                    .extra(WireFormat.OPENAI_RESPONSES, extra).build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(e.getMessage(), null, e);
        }
    }

    private static List<Message> readInput(JsonReader r, List<ContentBlock> system, Warnings warnings) {
        List<Message> messages = new ArrayList<>();
        if (r.isString()) {
            messages.add(Message.user(r.string("input")));
            return messages;
        }
        if (!r.arrayOrNull("input")) {
            throw new FormatException("input must be a string or an array of items", "input");
        }
        int i = 0;
        while (r.nextElement()) {
            String at = "input[" + i + "]";
            r.object(at);
            readItem(r, at, messages, system, warnings);
            i++;
        }
        return messages;
    }

    private static void readItem(JsonReader r, String at, List<Message> messages, List<ContentBlock> system, Warnings warnings) {
        String type = null;
        String role = null;
        List<ContentBlock> content = null;
        String callId = null;
        String name = null;
        String arguments = null;
        String output = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string(at + ".type");
                case "role" -> role = r.string(at + ".role");
                case "content" -> content = readContent(r, at + ".content");
                case "call_id" -> callId = r.string(at + ".call_id");
                case "name" -> name = r.string(at + ".name");
                case "arguments" -> arguments = r.string(at + ".arguments");
                case "output" -> output = r.isString() ? r.string(at + ".output") : r.raw().json();
                case "id", "status" -> r.skip();
                default -> {
                    warnings.unknown("dropped field", at + "." + f);
                    r.skip();
                }
            }
        }
        if (type == null) {
            type = role != null ? "message" : null;
        }
        if (type == null) {
            throw new FormatException(at + ".type is required", at + ".type");
        }
        switch (type) {
            case "message" -> {
                if (role == null) {
                    throw new FormatException(at + ".role is required", at + ".role");
                }
                if (content == null) {
                    throw new FormatException(at + ".content is required", at + ".content");
                }
                switch (role) {
                    case "system", "developer" -> {
                        if (messages.isEmpty()) {
                            system.addAll(content);
                        } else {
                            messages.add(Message.of(Role.SYSTEM, content));
                        }
                    }
                    case "user" -> messages.add(Message.of(Role.USER, content));
                    case "assistant" -> append(messages, Role.ASSISTANT, content);
                    default -> throw new FormatException(at + ".role must be user, assistant, system or developer", at + ".role");
                }
            }
            case "function_call" -> {
                require(callId, at + ".call_id");
                require(name, at + ".name");
                append(messages, Role.ASSISTANT, List.of(new ContentBlock.ToolUse(callId, name, arguments == null ? "{}" : arguments)));
            }
            case "function_call_output" -> {
                require(callId, at + ".call_id");
                require(output, at + ".output");
                append(messages, Role.USER, List.of(ContentBlock.ToolResult.text(callId, output)));
            }
            case "reasoning" -> warnings.unknown("dropped input item", "reasoning");
            default -> throw new FormatException(at + ".type '" + type + "' is not supported", at + ".type");
        }
    }

    /** Consecutive items of one role (a call and the next call, outputs of parallel calls) share one canonical message. */
    private static void append(List<Message> messages, Role role, List<ContentBlock> blocks) {
        if (!messages.isEmpty()) {
            Message last = messages.getLast();
            boolean toolTurn = blocks.getFirst() instanceof ContentBlock.ToolUse || blocks.getFirst() instanceof ContentBlock.ToolResult;
            if (last.role() == role && toolTurn) {
                List<ContentBlock> merged = new ArrayList<>(last.content());
                merged.addAll(blocks);
                messages.set(messages.size() - 1, Message.of(role, merged));
                return;
            }
        }
        messages.add(Message.of(role, blocks));
    }

    private static void require(String value, String param) {
        if (value == null) {
            throw new FormatException(param + " is required", param);
        }
    }

    private static List<ContentBlock> readContent(JsonReader r, String at) {
        if (r.isString()) {
            return List.of(ContentBlock.Text.of(r.string(at)));
        }
        if (!r.arrayOrNull(at)) {
            throw new FormatException(at + " must be a string or an array of parts", at);
        }
        List<ContentBlock> blocks = new ArrayList<>();
        int i = 0;
        while (r.nextElement()) {
            String pat = at + "[" + i + "]";
            r.object(pat);
            String type = null;
            String text = null;
            String url = null;
            String detail = null;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.string(pat + ".type");
                    case "text" -> text = r.string(pat + ".text");
                    case "image_url" -> url = r.stringOrNull(pat + ".image_url");
                    case "detail" -> detail = r.stringOrNull(pat + ".detail");
                    default -> r.skip();
                }
            }
            if (type == null) {
                throw new FormatException(pat + ".type is required", pat + ".type");
            }
            switch (type) {
                case "input_text", "output_text" -> {
                    require(text, pat + ".text");
                    blocks.add(ContentBlock.Text.of(text));
                }
                case "input_image" -> {
                    if (url == null) {
                        throw new FormatException(pat + ".image_url is required (file_id images are not supported)", pat + ".image_url");
                    }
                    blocks.add(OpenAiChatRequests.image(url, detail));
                }
                default -> throw new FormatException(pat + ".type '" + type + "' is not supported", pat + ".type");
            }
            i++;
        }
        return blocks;
    }

    private static List<Tool> readTools(JsonReader r) {
        List<Tool> tools = new ArrayList<>();
        int i = 0;
        while (r.nextElement()) {
            String at = "tools[" + i + "]";
            r.object(at);
            String type = null;
            String name = null;
            String description = null;
            RawJson parameters = null;
            Boolean strict = null;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.string(at + ".type");
                    case "name" -> name = r.string(at + ".name");
                    case "description" -> description = r.stringOrNull(at + ".description");
                    case "parameters" -> parameters = r.isNull() ? null : r.raw();
                    case "strict" -> strict = r.boolOrNull(at + ".strict");
                    default -> r.skip();
                }
            }
            if (!"function".equals(type)) {
                throw new FormatException(at + ".type '" + type + "' is not supported; only function tools are", at + ".type");
            }
            require(name, at + ".name");
            tools.add(new Tool(name, description, parameters, strict, null));
            i++;
        }
        return tools;
    }

    private static ToolChoice readToolChoice(JsonReader r) {
        if (r.isNull()) {
            return null;
        }
        if (r.isString()) {
            return switch (r.string("tool_choice")) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw new FormatException("tool_choice must be auto, none, required or a function", "tool_choice");
            };
        }
        r.object("tool_choice");
        String type = null;
        String name = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string("tool_choice.type");
                case "name" -> name = r.string("tool_choice.name");
                default -> r.skip();
            }
        }
        if (!"function".equals(type) || name == null) {
            throw new FormatException("tool_choice must name a function: {\"type\":\"function\",\"name\":...}", "tool_choice");
        }
        return ToolChoice.tool(name);
    }

    private static ResponseFormat readText(JsonReader r) {
        if (!r.objectOrNull("text")) {
            return null;
        }
        ResponseFormat format = null;
        String f;
        while ((f = r.nextField()) != null) {
            if (!f.equals("format")) {
                r.skip();
                continue;
            }
            if (!r.objectOrNull("text.format")) {
                continue;
            }
            String type = null;
            String name = null;
            RawJson schema = null;
            Boolean strict = null;
            String g;
            while ((g = r.nextField()) != null) {
                switch (g) {
                    case "type" -> type = r.string("text.format.type");
                    case "name" -> name = r.stringOrNull("text.format.name");
                    case "schema" -> schema = r.isNull() ? null : r.raw();
                    case "strict" -> strict = r.boolOrNull("text.format.strict");
                    default -> r.skip();
                }
            }
            format = switch (type == null ? "" : type) {
                case "text" -> ResponseFormat.TEXT;
                case "json_object" -> ResponseFormat.JSON_OBJECT;
                case "json_schema" -> {
                    if (schema == null) {
                        throw new FormatException("text.format.schema is required for json_schema", "text.format.schema");
                    }
                    yield ResponseFormat.jsonSchema(name == null ? "response" : name, schema, strict);
                }
                default -> throw new FormatException("text.format.type must be text, json_object or json_schema", "text.format.type");
            };
        }
        return format;
    }

    private static Reasoning readReasoning(JsonReader r, Warnings warnings) {
        if (!r.objectOrNull("reasoning")) {
            return null;
        }
        String effort = null;
        String f;
        while ((f = r.nextField()) != null) {
            if (f.equals("effort")) {
                effort = r.stringOrNull("reasoning.effort");
            } else {
                if (!r.isNull()) {
                    warnings.unknown("dropped field", "reasoning." + f);
                }
                r.skip();
            }
        }
        return effort == null ? null : new Reasoning(effort, null);
    }
}
