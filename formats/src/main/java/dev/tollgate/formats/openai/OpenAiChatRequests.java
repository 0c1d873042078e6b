package dev.tollgate.formats.openai;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.JsonWriter;
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
import java.util.Set;

/** OpenAI Chat Completions requests ({@code POST /v1/chat/completions}) to and from the canonical model. */
public final class OpenAiChatRequests {

    private static final String LEGACY = "legacy function calling is not supported; use tools";

    /** The top-level fields {@link #write} renders itself; an extra of the same name is not written twice. */
    private static final Set<String> MAPPED = Set.of("model", "messages", "tools", "tool_choice", "parallel_tool_calls",
            "response_format", "max_completion_tokens", "max_tokens", "reasoning_effort", "stop", "temperature", "top_p",
            "seed", "presence_penalty", "frequency_penalty", "user", "metadata", "stream", "stream_options",
            "functions", "function_call");

    private OpenAiChatRequests() {}

    /**
     * Parses a client's request.
     *
     * @throws FormatException when the request is not valid JSON or not a chat request this gateway can
     *                         translate; {@link FormatException#param()} names the field
     */
    public static ChatRequest parse(byte[] bytes, int offset, int length, Warnings warnings) {
        try (JsonReader r = JsonReader.of(bytes, offset, length)) {
            ChatRequest request = parse(r, warnings);
            r.end();
            return request;
        }
    }

    private static ChatRequest parse(JsonReader r, Warnings warnings) {
        r.rootObject("a chat request");
        ChatRequest.Builder b = ChatRequest.builder();
        Map<String, RawJson> extra = new LinkedHashMap<>();
        List<ContentBlock> system = new ArrayList<>();
        List<Message> messages = null;
        Integer maxCompletionTokens = null;
        Integer maxTokens = null;
        String model = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "model" -> model = r.string("model");
                case "messages" -> {
                    if (!r.arrayOrNull("messages")) {
                        throw new FormatException("messages must be an array", "messages");
                    }
                    messages = readMessages(r, system, warnings);
                }
                case "tools" -> {
                    if (r.arrayOrNull("tools")) {
                        b.tools(readTools(r, warnings));
                    }
                }
                case "tool_choice" -> b.toolChoice(readToolChoice(r));
                case "parallel_tool_calls" -> b.parallelToolCalls(r.boolOrNull(f));
                case "response_format" -> b.responseFormat(readResponseFormat(r, warnings));
                case "max_completion_tokens" -> maxCompletionTokens = r.intOrNull(f);
                case "max_tokens" -> maxTokens = r.intOrNull(f);
                case "reasoning_effort" -> {
                    String effort = r.stringOrNull(f);
                    b.reasoning(effort == null ? null : new Reasoning(effort, null));
                }
                case "stop" -> b.stop(readStop(r));
                case "temperature" -> b.temperature(r.doubleOrNull(f));
                case "top_p" -> b.topP(r.doubleOrNull(f));
                case "seed" -> b.seed(r.longOrNull(f));
                case "presence_penalty" -> b.presencePenalty(r.doubleOrNull(f));
                case "frequency_penalty" -> b.frequencyPenalty(r.doubleOrNull(f));
                case "user" -> b.user(r.stringOrNull(f));
                case "metadata" -> b.metadata(readStringMap(r, f));
                case "stream" -> b.stream(Boolean.TRUE.equals(r.boolOrNull(f)));
                case "stream_options" -> {
                    if (r.objectOrNull(f)) {
                        String o;
                        while ((o = r.nextField()) != null) {
                            if (o.equals("include_usage")) {
                                b.includeUsage(Boolean.TRUE.equals(r.boolOrNull("stream_options.include_usage")));
                            } else {
                                warnings.unknown("dropped field", "stream_options." + o);
                                r.skip();
                            }
                        }
                    }
                }
                case "functions", "function_call" -> throw new FormatException(LEGACY, f);
                default -> extra.put(f, r.raw());
            }
        }
        if (model == null) {
            throw new FormatException("model is required", "model");
        }
        if (messages == null) {
            throw new FormatException("messages is required", "messages");
        }
        Integer limit = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        if (maxCompletionTokens != null && maxTokens != null) {
            warnings.unknown("dropped field, max_completion_tokens wins", "max_tokens");
        }
        if (limit != null && limit < 1) {
            String param = maxCompletionTokens != null ? "max_completion_tokens" : "max_tokens";
            throw new FormatException(param + " must be at least 1", param);
        }
        try {
            return b.model(model).system(system).messages(messages).maxTokens(limit)
                    .extra(WireFormat.OPENAI_CHAT, extra).build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(e.getMessage(), null, e);
        }
    }

    private static List<Message> readMessages(JsonReader r, List<ContentBlock> system, Warnings warnings) {
        List<Message> messages = new ArrayList<>();
        List<ContentBlock> toolResults = null;
        boolean leading = true;
        int i = 0;
        while (r.nextElement()) {
            String at = "messages[" + i + "]";
            RawMessage m = readMessage(r, at, warnings);
            if (m.role == null) {
                throw new FormatException(at + ".role is required", at + ".role");
            }
            if (!m.role.equals("tool") && toolResults != null) {
                messages.add(Message.of(Role.USER, toolResults));
                toolResults = null;
            }
            switch (m.role) {
                case "system", "developer" -> {
                    List<ContentBlock> blocks = m.textOnly(at);
                    if (leading) {
                        if (m.name != null) {
                            warnings.unknown("dropped field", at + ".name");
                        }
                        system.addAll(blocks);
                    } else {
                        messages.add(new Message(Role.SYSTEM, blocks, m.name));
                    }
                }
                case "user" -> {
                    leading = false;
                    messages.add(new Message(Role.USER, m.userContent(), m.name));
                }
                case "assistant" -> {
                    leading = false;
                    messages.add(new Message(Role.ASSISTANT, m.assistantContent(at), m.name));
                }
                case "tool" -> {
                    leading = false;
                    if (m.toolCallId == null) {
                        throw new FormatException(at + ".tool_call_id is required", at + ".tool_call_id");
                    }
                    if (toolResults == null) {
                        toolResults = new ArrayList<>();
                    }
                    toolResults.add(new ContentBlock.ToolResult(m.toolCallId, m.toolContent(at), false, null));
                }
                case "function" -> throw new FormatException(LEGACY, at + ".role");
                default -> throw new FormatException("unknown role '" + m.role + "'", at + ".role");
            }
            i++;
        }
        if (toolResults != null) {
            messages.add(Message.of(Role.USER, toolResults));
        }
        return messages;
    }

    /** A message's fields as read, before its role says what they mean (fields come in any order). */
    private static final class RawMessage {
        String role;
        String name;
        String text;
        List<Part> parts;
        String refusal;
        String reasoning;
        String toolCallId;
        List<ContentBlock> toolCalls;

        List<ContentBlock> textOnly(String at) {
            List<ContentBlock> blocks = new ArrayList<>();
            if (text != null) {
                blocks.add(ContentBlock.Text.of(text));
            }
            if (parts != null) {
                for (int j = 0; j < parts.size(); j++) {
                    Part p = parts.get(j);
                    if (!p.type.equals("text")) {
                        throw new FormatException("a " + role + " message holds text parts, not '" + p.type + "'",
                                at + ".content[" + j + "].type");
                    }
                    blocks.add(p.block);
                }
            }
            return blocks;
        }

        List<ContentBlock> userContent() {
            List<ContentBlock> blocks = new ArrayList<>();
            if (text != null) {
                blocks.add(ContentBlock.Text.of(text));
            }
            if (parts != null) {
                for (Part p : parts) {
                    blocks.add(p.block);
                }
            }
            return blocks;
        }

        List<ContentBlock> assistantContent(String at) {
            List<ContentBlock> blocks = new ArrayList<>();
            if (reasoning != null && !reasoning.isEmpty()) {
                blocks.add(new ContentBlock.Thinking(reasoning, null));
            }
            if (text != null && !text.isEmpty()) {
                blocks.add(ContentBlock.Text.of(text));
            }
            if (parts != null) {
                for (int j = 0; j < parts.size(); j++) {
                    Part p = parts.get(j);
                    if (!p.type.equals("text") && !p.type.equals("refusal")) {
                        throw new FormatException("an assistant message holds text and refusal parts, not '" + p.type + "'",
                                at + ".content[" + j + "].type");
                    }
                    blocks.add(p.block);
                }
            }
            if (refusal != null && !refusal.isEmpty()) {
                blocks.add(ContentBlock.Text.of(refusal));
            }
            if (toolCalls != null) {
                blocks.addAll(toolCalls);
            }
            return blocks;
        }

        List<ContentBlock> toolContent(String at) {
            List<ContentBlock> blocks = new ArrayList<>();
            if (text != null) {
                blocks.add(ContentBlock.Text.of(text));
            }
            if (parts != null) {
                for (int j = 0; j < parts.size(); j++) {
                    Part p = parts.get(j);
                    if (!(p.block instanceof ContentBlock.Text) && !(p.block instanceof ContentBlock.Image)) {
                        throw new FormatException("a tool message holds text and image parts, not '" + p.type + "'",
                                at + ".content[" + j + "].type");
                    }
                    blocks.add(p.block);
                }
            }
            return blocks;
        }
    }

    private record Part(String type, ContentBlock block) {}

    private static RawMessage readMessage(JsonReader r, String at, Warnings warnings) {
        r.object(at);
        RawMessage m = new RawMessage();
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "role" -> m.role = r.string(at + ".role");
                case "name" -> m.name = r.stringOrNull(at + ".name");
                case "content" -> {
                    if (r.isString()) {
                        m.text = r.string(at + ".content");
                    } else if (r.arrayOrNull(at + ".content")) {
                        m.parts = readParts(r, at + ".content", warnings);
                    }
                }
                case "refusal" -> m.refusal = r.stringOrNull(at + ".refusal");
                case "reasoning_content", "reasoning" -> {
                    String s = r.stringOrNull(at + "." + f);
                    if (s != null) {
                        m.reasoning = s;
                    }
                }
                case "tool_call_id" -> m.toolCallId = r.stringOrNull(at + ".tool_call_id");
                case "tool_calls" -> {
                    if (r.arrayOrNull(at + ".tool_calls")) {
                        m.toolCalls = readToolCalls(r, at + ".tool_calls", warnings);
                    }
                }
                case "function_call" -> {
                    if (!r.isNull()) {
                        throw new FormatException(LEGACY, at + ".function_call");
                    }
                }
                default -> {
                    if (!r.isNull()) {
                        warnings.unknown("dropped field", at + "." + f);
                    }
                    r.skip();
                }
            }
        }
        return m;
    }

    private static List<Part> readParts(JsonReader r, String at, Warnings warnings) {
        List<Part> parts = new ArrayList<>();
        int j = 0;
        while (r.nextElement()) {
            String pat = at + "[" + j + "]";
            r.object(pat);
            int start = r.start();
            String type = null;
            String text = null;
            String refusal = null;
            String url = null;
            String detail = null;
            boolean other = false;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.string(pat + ".type");
                    case "text" -> text = r.stringOrNull(pat + ".text");
                    case "refusal" -> refusal = r.stringOrNull(pat + ".refusal");
                    case "image_url" -> {
                        if (r.isString()) {
                            url = r.string(pat + ".image_url");
                        } else if (r.objectOrNull(pat + ".image_url")) {
                            String g;
                            while ((g = r.nextField()) != null) {
                                switch (g) {
                                    case "url" -> url = r.string(pat + ".image_url.url");
                                    case "detail" -> detail = r.stringOrNull(pat + ".image_url.detail");
                                    default -> {
                                        other = true;
                                        r.skip();
                                    }
                                }
                            }
                        }
                    }
                    default -> {
                        other = true;
                        r.skip();
                    }
                }
            }
            if (type == null) {
                throw new FormatException(pat + ".type is required", pat + ".type");
            }
            ContentBlock block = switch (type) {
                case "text" -> ContentBlock.Text.of(require(text, pat + ".text"));
                case "refusal" -> ContentBlock.Text.of(require(refusal, pat + ".refusal"));
                case "image_url" -> image(require(url, pat + ".image_url.url"), detail);
                default -> new ContentBlock.Opaque(WireFormat.OPENAI_CHAT, type, RawJson.of(r.since(start)));
            };
            if (other && !(block instanceof ContentBlock.Opaque)) {
                warnings.unknown("dropped fields of a '" + type + "' part", pat);
            }
            parts.add(new Part(type, block));
            j++;
        }
        return parts;
    }

    private static String require(String value, String param) {
        if (value == null) {
            throw new FormatException(param + " is required", param);
        }
        return value;
    }

    /** An {@code image_url}: a base64 data URL becomes inline data, anything else stays a URL. */
    static ContentBlock.Image image(String url, String detail) {
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            int marker = comma < 0 ? -1 : url.lastIndexOf(";base64", comma);
            if (marker > 5 && marker + 7 == comma) {
                String mediaType = url.substring(5, marker);
                int param = mediaType.indexOf(';');
                if (param >= 0) {
                    mediaType = mediaType.substring(0, param);
                }
                return new ContentBlock.Image(mediaType, url.substring(comma + 1), null, detail, null);
            }
        }
        return new ContentBlock.Image(null, null, url, detail, null);
    }

    static List<ContentBlock> readToolCalls(JsonReader r, String at, Warnings warnings) {
        List<ContentBlock> calls = new ArrayList<>();
        int j = 0;
        while (r.nextElement()) {
            String cat = at + "[" + j + "]";
            r.object(cat);
            String id = null;
            String type = null;
            String name = null;
            String arguments = null;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "id" -> id = r.stringOrNull(cat + ".id");
                    case "type" -> type = r.stringOrNull(cat + ".type");
                    case "function" -> {
                        r.object(cat + ".function");
                        String g;
                        while ((g = r.nextField()) != null) {
                            switch (g) {
                                case "name" -> name = r.string(cat + ".function.name");
                                case "arguments" -> arguments = r.isString() || r.isNull()
                                        ? r.stringOrNull(cat + ".function.arguments")
                                        : r.raw().json();
                                default -> {
                                    warnings.unknown("dropped field", cat + ".function." + g);
                                    r.skip();
                                }
                            }
                        }
                    }
                    default -> {
                        warnings.unknown("dropped field", cat + "." + f);
                        r.skip();
                    }
                }
            }
            if (type != null && !type.equals("function")) {
                throw new FormatException("tool call type '" + type + "' is not supported", cat + ".type");
            }
            calls.add(new ContentBlock.ToolUse(require(id, cat + ".id"), require(name, cat + ".function.name"),
                    arguments == null ? "" : arguments));
            j++;
        }
        return calls;
    }

    private static List<Tool> readTools(JsonReader r, Warnings warnings) {
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
            boolean function = false;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.string(at + ".type");
                    case "function" -> {
                        r.object(at + ".function");
                        function = true;
                        String g;
                        while ((g = r.nextField()) != null) {
                            switch (g) {
                                case "name" -> name = r.string(at + ".function.name");
                                case "description" -> description = r.stringOrNull(at + ".function.description");
                                case "parameters" -> parameters = r.isNull() ? null : r.raw();
                                case "strict" -> strict = r.boolOrNull(at + ".function.strict");
                                default -> {
                                    warnings.unknown("dropped field", at + ".function." + g);
                                    r.skip();
                                }
                            }
                        }
                    }
                    default -> {
                        // another tool type's settings; refused below by its type
                        r.skip();
                    }
                }
            }
            if (type == null) {
                throw new FormatException(at + ".type is required", at + ".type");
            }
            if (!type.equals("function")) {
                throw new FormatException("tool type '" + type + "' is not supported; only function tools are", at + ".type");
            }
            if (!function) {
                throw new FormatException(at + ".function is required", at + ".function");
            }
            tools.add(new Tool(require(name, at + ".function.name"), description, parameters, strict, null));
            i++;
        }
        return tools;
    }

    private static ToolChoice readToolChoice(JsonReader r) {
        if (r.isNull()) {
            return null;
        }
        if (r.isString()) {
            String s = r.string("tool_choice");
            return switch (s) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw new FormatException("unknown tool_choice '" + s + "'", "tool_choice");
            };
        }
        r.object("tool_choice");
        String type = null;
        String name = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string("tool_choice.type");
                case "function" -> {
                    r.object("tool_choice.function");
                    String g;
                    while ((g = r.nextField()) != null) {
                        if (g.equals("name")) {
                            name = r.string("tool_choice.function.name");
                        } else {
                            r.skip();
                        }
                    }
                }
                default -> r.skip();
            }
        }
        if (!"function".equals(type)) {
            throw new FormatException("tool_choice type '" + type + "' is not supported", "tool_choice.type");
        }
        return ToolChoice.tool(require(name, "tool_choice.function.name"));
    }

    private static ResponseFormat readResponseFormat(JsonReader r, Warnings warnings) {
        if (!r.objectOrNull("response_format")) {
            return null;
        }
        String type = null;
        String name = null;
        RawJson schema = null;
        Boolean strict = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string("response_format.type");
                case "json_schema" -> {
                    r.object("response_format.json_schema");
                    String g;
                    while ((g = r.nextField()) != null) {
                        switch (g) {
                            case "name" -> name = r.stringOrNull("response_format.json_schema.name");
                            case "schema" -> schema = r.isNull() ? null : r.raw();
                            case "strict" -> strict = r.boolOrNull("response_format.json_schema.strict");
                            default -> {
                                warnings.unknown("dropped field", "response_format.json_schema." + g);
                                r.skip();
                            }
                        }
                    }
                }
                default -> {
                    warnings.unknown("dropped field", "response_format." + f);
                    r.skip();
                }
            }
        }
        if (type == null) {
            throw new FormatException("response_format.type is required", "response_format.type");
        }
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> ResponseFormat.jsonSchema(name,
                    requireRaw(schema, "response_format.json_schema.schema"), strict);
            default -> throw new FormatException("unknown response_format type '" + type + "'", "response_format.type");
        };
    }

    private static RawJson requireRaw(RawJson value, String param) {
        if (value == null) {
            throw new FormatException(param + " is required", param);
        }
        return value;
    }

    private static List<String> readStop(JsonReader r) {
        if (r.isNull()) {
            return List.of();
        }
        if (r.isString()) {
            return List.of(r.string("stop"));
        }
        r.arrayOrNull("stop");
        List<String> stop = new ArrayList<>();
        int i = 0;
        while (r.nextElement()) {
            stop.add(r.string("stop[" + i++ + "]"));
        }
        return stop;
    }

    static Map<String, String> readStringMap(JsonReader r, String at) {
        Map<String, String> map = new LinkedHashMap<>();
        if (r.objectOrNull(at)) {
            String f;
            while ((f = r.nextField()) != null) {
                map.put(f, r.string(at + "." + f));
            }
        }
        return map;
    }

    /**
     * Renders a canonical request for an OpenAI-compatible upstream.
     *
     * @param upstreamModel the model name the upstream knows
     * @throws FormatException when the request holds something OpenAI cannot take (a block kept opaque
     *                         from another format); {@link FormatException#param()} names its place in the
     *                         canonical request
     */
    public static byte[] write(ChatRequest request, String upstreamModel, OpenAiWriteOptions options, Warnings warnings) {
        Warnings once = Warnings.once(warnings);
        JsonWriter w = new JsonWriter(1024);
        w.startObject().field("model", upstreamModel);
        w.field("messages").startArray();
        if (!request.system().isEmpty()) {
            w.startObject().field("role", "system").field("content");
            writeText(w, request.system(), "system", once);
            w.endObject();
        }
        List<Message> messages = request.messages();
        for (int i = 0; i < messages.size(); i++) {
            writeMessage(w, messages.get(i), "messages[" + i + "]", once);
        }
        w.endArray();
        if (!request.tools().isEmpty()) {
            w.field("tools").startArray();
            for (Tool t : request.tools()) {
                w.startObject().field("type", "function").field("function").startObject().field("name", t.name());
                if (t.description() != null) {
                    w.field("description", t.description());
                }
                if (t.parameters() != null) {
                    w.field("parameters").raw(t.parameters());
                }
                if (t.strict() != null) {
                    w.field("strict").value(t.strict());
                }
                w.endObject().endObject();
                if (t.cacheControl() != null) {
                    once.unknown("dropped cache_control", "tools");
                }
            }
            w.endArray();
        }
        request.toolChoice().ifPresent(c -> {
            w.field("tool_choice");
            switch (c.mode()) {
                case AUTO -> w.value("auto");
                case NONE -> w.value("none");
                case REQUIRED -> w.value("required");
                case TOOL -> w.startObject().field("type", "function").field("function").startObject()
                        .field("name", c.name()).endObject().endObject();
            }
        });
        request.parallelToolCalls().ifPresent(p -> w.field("parallel_tool_calls").value(p));
        request.responseFormat().ifPresent(rf -> {
            w.field("response_format").startObject();
            switch (rf.type()) {
                case TEXT -> w.field("type", "text");
                case JSON_OBJECT -> w.field("type", "json_object");
                case JSON_SCHEMA -> {
                    w.field("type", "json_schema").field("json_schema").startObject();
                    if (rf.name() == null) {
                        once.unknown("response_format.json_schema.name is required by OpenAI; wrote", "response");
                    }
                    w.field("name", rf.name() == null ? "response" : rf.name());
                    w.field("schema").raw(rf.schema());
                    if (rf.strict() != null) {
                        w.field("strict").value(rf.strict());
                    }
                    w.endObject();
                }
            }
            w.endObject();
        });
        request.temperature().ifPresent(v -> w.field("temperature").value(v));
        request.topP().ifPresent(v -> w.field("top_p").value(v));
        request.topK().ifPresent(v -> once.unknown("dropped field OpenAI has no equivalent for", "top_k"));
        request.seed().ifPresent(v -> w.field("seed").value(v));
        request.presencePenalty().ifPresent(v -> w.field("presence_penalty").value(v));
        request.frequencyPenalty().ifPresent(v -> w.field("frequency_penalty").value(v));
        if (!request.stop().isEmpty()) {
            w.field("stop").startArray();
            for (String s : request.stop()) {
                w.value(s);
            }
            w.endArray();
        }
        request.maxTokens().ifPresent(v -> w.field(options.maxTokensField()
                == OpenAiWriteOptions.MaxTokensField.MAX_TOKENS ? "max_tokens" : "max_completion_tokens").value(v));
        request.reasoning().ifPresent(rs -> {
            String effort = rs.effort();
            if (effort == null) {
                effort = effortFor(rs.budgetTokens());
                once.unknown("reasoning budget converted to reasoning_effort",
                        rs.budgetTokens() + " tokens -> " + effort);
            }
            w.field("reasoning_effort", effort);
        });
        request.user().ifPresent(u -> w.field("user", u));
        if (!request.metadata().isEmpty()) {
            w.field("metadata").startObject();
            request.metadata().forEach(w::field);
            w.endObject();
        }
        if (options.stream()) {
            w.field("stream").value(true);
            if (options.alwaysStreamUsage() || request.includeUsage()) {
                w.field("stream_options").startObject().field("include_usage").value(true).endObject();
            }
        }
        writeExtras(w, request, once);
        w.endObject();
        return w.take();
    }

    /** OpenAI's efforts by the Anthropic thinking budgets they roughly correspond to. */
    static String effortFor(int budgetTokens) {
        if (budgetTokens <= 2048) {
            return "low";
        }
        return budgetTokens <= 8192 ? "medium" : "high";
    }

    private static void writeExtras(JsonWriter w, ChatRequest request, Warnings once) {
        if (request.extra().isEmpty()) {
            return;
        }
        boolean ours = request.extraFormat() == WireFormat.OPENAI_CHAT;
        request.extra().forEach((name, json) -> {
            if (!ours) {
                once.unknown("dropped " + request.extraFormat() + " field", name);
            } else if (MAPPED.contains(name)) {
                once.unknown("dropped extra field that shadows a mapped one", name);
            } else {
                w.field(name).raw(json);
            }
        });
    }

    private static void writeMessage(JsonWriter w, Message m, String at, Warnings once) {
        switch (m.role()) {
            case SYSTEM -> {
                w.startObject().field("role", "system");
                writeName(w, m);
                w.field("content");
                writeText(w, m.content(), at, once);
                w.endObject();
            }
            case ASSISTANT -> writeAssistant(w, m, at, once);
            case USER -> writeUser(w, m, at, once);
        }
    }

    private static void writeName(JsonWriter w, Message m) {
        if (m.name() != null) {
            w.field("name", m.name());
        }
    }

    /** Text blocks as a string when there is one, as text parts otherwise. */
    private static void writeText(JsonWriter w, List<ContentBlock> blocks, String at, Warnings once) {
        for (int j = 0; j < blocks.size(); j++) {
            ContentBlock b = blocks.get(j);
            if (!(b instanceof ContentBlock.Text t)) {
                throw new FormatException("OpenAI takes only text here, not " + b.kind(), at + ".content[" + j + "]");
            }
            if (t.cacheControl() != null) {
                once.unknown("dropped cache_control", at);
            }
        }
        if (blocks.size() == 1) {
            w.value(((ContentBlock.Text) blocks.get(0)).text());
            return;
        }
        w.startArray();
        for (ContentBlock b : blocks) {
            w.startObject().field("type", "text").field("text", ((ContentBlock.Text) b).text()).endObject();
        }
        w.endArray();
    }

    private static void writeAssistant(JsonWriter w, Message m, String at, Warnings once) {
        List<ContentBlock.Text> texts = new ArrayList<>();
        List<ContentBlock.ToolUse> calls = new ArrayList<>();
        List<ContentBlock> content = m.content();
        for (int j = 0; j < content.size(); j++) {
            ContentBlock b = content.get(j);
            switch (b) {
                case ContentBlock.Text t -> {
                    if (t.cacheControl() != null) {
                        once.unknown("dropped cache_control", at);
                    }
                    texts.add(t);
                }
                case ContentBlock.ToolUse u -> calls.add(u);
                case ContentBlock.Thinking t -> once.unknown("dropped thinking (OpenAI takes no reasoning back)", at);
                case ContentBlock.RedactedThinking t -> once.unknown("dropped redacted thinking", at);
                case ContentBlock.Opaque o when o.format() == WireFormat.OPENAI_CHAT ->
                        throw new FormatException("an assistant message cannot hold a '" + o.type() + "' part",
                                at + ".content[" + j + "]");
                default -> throw unsupported(b, at + ".content[" + j + "]", "an assistant message");
            }
        }
        w.startObject().field("role", "assistant");
        writeName(w, m);
        w.field("content");
        if (texts.isEmpty()) {
            if (calls.isEmpty()) {
                w.value("");
            } else {
                w.nullValue();
            }
        } else if (texts.size() == 1) {
            w.value(texts.get(0).text());
        } else {
            w.startArray();
            for (ContentBlock.Text t : texts) {
                w.startObject().field("type", "text").field("text", t.text()).endObject();
            }
            w.endArray();
        }
        if (!calls.isEmpty()) {
            w.field("tool_calls").startArray();
            for (ContentBlock.ToolUse u : calls) {
                w.startObject().field("id", u.id()).field("type", "function").field("function").startObject()
                        .field("name", u.name()).field("arguments", u.arguments()).endObject().endObject();
            }
            w.endArray();
        }
        w.endObject();
    }

    /**
     * A user message: its tool results first, each as a {@code tool} message, then one user message with
     * the images those results held (a tool message cannot carry images) and the message's other blocks.
     */
    private static void writeUser(JsonWriter w, Message m, String at, Warnings once) {
        List<ContentBlock> rest = new ArrayList<>();
        List<ContentBlock> content = m.content();
        boolean hadResults = false;
        for (int j = 0; j < content.size(); j++) {
            ContentBlock b = content.get(j);
            String bat = at + ".content[" + j + "]";
            switch (b) {
                case ContentBlock.ToolResult r -> {
                    hadResults = true;
                    writeToolMessage(w, r, rest, bat, once);
                }
                case ContentBlock.Text t -> rest.add(t);
                case ContentBlock.Image i -> rest.add(i);
                case ContentBlock.Opaque o when o.format() == WireFormat.OPENAI_CHAT -> rest.add(o);
                case ContentBlock.Thinking t -> once.unknown("dropped thinking in a user message", bat);
                case ContentBlock.RedactedThinking t -> once.unknown("dropped redacted thinking in a user message", bat);
                default -> throw unsupported(b, bat, "a user message");
            }
        }
        if (rest.isEmpty() && hadResults) {
            return;
        }
        w.startObject().field("role", "user");
        writeName(w, m);
        w.field("content");
        if (rest.size() == 1 && rest.get(0) instanceof ContentBlock.Text t) {
            if (t.cacheControl() != null) {
                once.unknown("dropped cache_control", at);
            }
            w.value(t.text());
        } else {
            w.startArray();
            for (ContentBlock b : rest) {
                writePart(w, b, at, once);
            }
            w.endArray();
        }
        w.endObject();
    }

    private static void writeToolMessage(JsonWriter w, ContentBlock.ToolResult r, List<ContentBlock> images, String at,
            Warnings once) {
        List<ContentBlock> texts = new ArrayList<>();
        for (ContentBlock c : r.content()) {
            if (c instanceof ContentBlock.Image) {
                images.add(c);
            } else {
                texts.add(c);
            }
        }
        if (r.isError()) {
            once.unknown("dropped is_error of a tool result (OpenAI has none)", at);
        }
        if (r.cacheControl() != null) {
            once.unknown("dropped cache_control", at);
        }
        w.startObject().field("role", "tool").field("tool_call_id", r.toolUseId()).field("content");
        if (texts.isEmpty()) {
            w.value("");
        } else {
            writeText(w, texts, at, once);
        }
        w.endObject();
    }

    private static void writePart(JsonWriter w, ContentBlock b, String at, Warnings once) {
        switch (b) {
            case ContentBlock.Text t -> {
                if (t.cacheControl() != null) {
                    once.unknown("dropped cache_control", at);
                }
                w.startObject().field("type", "text").field("text", t.text()).endObject();
            }
            case ContentBlock.Image i -> {
                if (i.cacheControl() != null) {
                    once.unknown("dropped cache_control", at);
                }
                w.startObject().field("type", "image_url").field("image_url").startObject()
                        .field("url", i.url() != null ? i.url() : "data:" + i.mediaType() + ";base64," + i.data());
                if (i.detail() != null) {
                    w.field("detail", i.detail());
                }
                w.endObject().endObject();
            }
            case ContentBlock.Opaque o -> w.raw(o.json());
            default -> throw new IllegalStateException("not a user part: " + b.kind());
        }
    }

    private static FormatException unsupported(ContentBlock b, String param, String where) {
        if (b instanceof ContentBlock.Opaque o) {
            return new FormatException("content of type '" + o.type() + "' from " + o.format()
                    + " cannot be translated to OpenAI Chat Completions", param);
        }
        return new FormatException(b.kind() + " blocks cannot be in " + where, param);
    }
}
