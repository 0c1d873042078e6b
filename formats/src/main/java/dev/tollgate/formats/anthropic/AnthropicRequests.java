package dev.tollgate.formats.anthropic;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Anthropic Messages requests ({@code POST /v1/messages}) to and from the canonical model. */
public final class AnthropicRequests {

    private static final Set<String> MAPPED = Set.of("model", "messages", "system", "max_tokens", "stop_sequences",
            "temperature", "top_p", "top_k", "stream", "metadata", "tools", "tool_choice", "thinking", "output_config");

    private AnthropicRequests() {}

    /**
     * Parses a client's request.
     *
     * @throws FormatException when the request is not valid JSON or not a Messages request this gateway can
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
        r.rootObject("a Messages request");
        ChatRequest.Builder b = ChatRequest.builder();
        Map<String, RawJson> extra = new LinkedHashMap<>();
        String model = null;
        List<Message> messages = null;
        Integer budget = null;
        String effort = null;
        ToolChoice toolChoice = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "model" -> model = r.string("model");
                case "messages" -> {
                    if (!r.arrayOrNull("messages")) {
                        throw new FormatException("messages must be an array", "messages");
                    }
                    messages = readMessages(r, warnings);
                }
                case "system" -> b.system(readSystem(r));
                case "max_tokens" -> {
                    Integer max = r.intOrNull(f);
                    if (max != null && max < 1) {
                        throw new FormatException("max_tokens must be at least 1", f);
                    }
                    b.maxTokens(max);
                }
                case "stop_sequences" -> {
                    List<String> stop = new ArrayList<>();
                    if (r.arrayOrNull(f)) {
                        int i = 0;
                        while (r.nextElement()) {
                            stop.add(r.string("stop_sequences[" + i++ + "]"));
                        }
                    }
                    b.stop(stop);
                }
                case "temperature" -> b.temperature(r.doubleOrNull(f));
                case "top_p" -> b.topP(r.doubleOrNull(f));
                case "top_k" -> b.topK(r.intOrNull(f));
                case "stream" -> {
                    boolean stream = Boolean.TRUE.equals(r.boolOrNull(f));
                    b.stream(stream).includeUsage(stream);
                }
                case "metadata" -> {
                    if (r.objectOrNull(f)) {
                        String g;
                        while ((g = r.nextField()) != null) {
                            if (g.equals("user_id")) {
                                b.user(r.stringOrNull("metadata.user_id"));
                            } else {
                                warnings.unknown("dropped field", "metadata." + g);
                                r.skip();
                            }
                        }
                    }
                }
                case "tools" -> {
                    if (r.arrayOrNull(f)) {
                        b.tools(readTools(r, warnings));
                    }
                }
                case "tool_choice" -> {
                    if (r.objectOrNull(f)) {
                        Boolean[] parallel = new Boolean[1];
                        toolChoice = readToolChoice(r, parallel);
                        b.parallelToolCalls(parallel[0]);
                    }
                }
                case "thinking" -> {
                    if (!r.isNull()) {
                        RawJson raw = r.raw();
                        Thinking t = readThinking(raw);
                        if (t.known) {
                            budget = t.budget;
                        } else {
                            warnings.unknown("thinking kept as an Anthropic field", t.type);
                            extra.put(f, raw);
                        }
                    }
                }
                case "output_config" -> {
                    if (r.objectOrNull(f)) {
                        String g;
                        while ((g = r.nextField()) != null) {
                            switch (g) {
                                case "effort" -> effort = r.stringOrNull("output_config.effort");
                                case "format" -> b.responseFormat(readFormat(r));
                                default -> {
                                    warnings.unknown("dropped field", "output_config." + g);
                                    r.skip();
                                }
                            }
                        }
                    }
                }
                default -> extra.put(f, r.raw());
            }
        }
        if (model == null) {
            throw new FormatException("model is required", "model");
        }
        if (messages == null) {
            throw new FormatException("messages is required", "messages");
        }
        if (effort != null || budget != null) {
            b.reasoning(new Reasoning(effort, budget));
        }
        try {
            return b.model(model).messages(messages).toolChoice(toolChoice)
                    .extra(WireFormat.ANTHROPIC_MESSAGES, extra).build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(e.getMessage(), null, e);
        }
    }

    private record Thinking(boolean known, String type, Integer budget) {}

    /** {@code enabled} (with its budget) and {@code disabled} map; another type stays an Anthropic field. */
    private static Thinking readThinking(RawJson raw) {
        byte[] bytes = raw.json().getBytes(StandardCharsets.UTF_8);
        try (JsonReader r = JsonReader.of(bytes, 0, bytes.length)) {
            r.next();
            r.object("thinking");
            String type = null;
            Integer budget = null;
            boolean other = false;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.string("thinking.type");
                    case "budget_tokens" -> budget = r.intOrNull("thinking.budget_tokens");
                    default -> {
                        other = true;
                        r.skip();
                    }
                }
            }
            if ("enabled".equals(type) && !other) {
                if (budget == null || budget < 0) {
                    throw new FormatException("thinking.budget_tokens is required", "thinking.budget_tokens");
                }
                return new Thinking(true, type, budget);
            }
            if ("disabled".equals(type) && !other) {
                return new Thinking(true, type, null);
            }
            return new Thinking(false, String.valueOf(type), null);
        }
    }

    private static ResponseFormat readFormat(JsonReader r) {
        if (!r.objectOrNull("output_config.format")) {
            return null;
        }
        String type = null;
        RawJson schema = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string("output_config.format.type");
                case "schema" -> schema = r.isNull() ? null : r.raw();
                default -> r.skip();
            }
        }
        if (!"json_schema".equals(type)) {
            throw new FormatException("unknown output format type '" + type + "'", "output_config.format.type");
        }
        if (schema == null) {
            throw new FormatException("output_config.format.schema is required", "output_config.format.schema");
        }
        return ResponseFormat.jsonSchema(null, schema, null);
    }

    private static List<ContentBlock> readSystem(JsonReader r) {
        List<ContentBlock> system = new ArrayList<>();
        if (r.isNull()) {
            return system;
        }
        if (r.isString()) {
            system.add(ContentBlock.Text.of(r.string("system")));
            return system;
        }
        if (!r.arrayOrNull("system")) {
            return system;
        }
        int i = 0;
        while (r.nextElement()) {
            String at = "system[" + i++ + "]";
            ContentBlock b = AnthropicWire.readBlock(r, at, (w, v) -> { });
            if (!(b instanceof ContentBlock.Text)) {
                String type = b instanceof ContentBlock.Opaque o ? o.type() : b.kind().toString().toLowerCase();
                throw new FormatException("system holds text blocks, not '" + type + "'", at + ".type");
            }
            system.add(b);
        }
        return system;
    }

    private static List<Message> readMessages(JsonReader r, Warnings warnings) {
        List<Message> messages = new ArrayList<>();
        int i = 0;
        while (r.nextElement()) {
            String at = "messages[" + i++ + "]";
            r.object(at);
            String role = null;
            List<ContentBlock> content = null;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "role" -> role = r.string(at + ".role");
                    case "content" -> {
                        content = new ArrayList<>();
                        if (r.isString()) {
                            content.add(ContentBlock.Text.of(r.string(at + ".content")));
                        } else if (r.arrayOrNull(at + ".content")) {
                            int j = 0;
                            while (r.nextElement()) {
                                content.add(AnthropicWire.readBlock(r, at + ".content[" + j++ + "]", warnings));
                            }
                        }
                    }
                    default -> {
                        warnings.unknown("dropped field", at + "." + f);
                        r.skip();
                    }
                }
            }
            if (role == null) {
                throw new FormatException(at + ".role is required", at + ".role");
            }
            Role canonical = switch (role) {
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                default -> throw new FormatException("unknown role '" + role + "'; messages are user or assistant", at + ".role");
            };
            if (content == null) {
                throw new FormatException(at + ".content is required", at + ".content");
            }
            messages.add(Message.of(canonical, content));
        }
        return messages;
    }

    private static List<Tool> readTools(JsonReader r, Warnings warnings) {
        List<Tool> tools = new ArrayList<>();
        int i = 0;
        while (r.nextElement()) {
            String at = "tools[" + i++ + "]";
            r.object(at);
            String type = null;
            String name = null;
            String description = null;
            RawJson schema = null;
            RawJson cacheControl = null;
            Boolean strict = null;
            List<String> dropped = new ArrayList<>();
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.stringOrNull(at + ".type");
                    case "name" -> name = r.string(at + ".name");
                    case "description" -> description = r.stringOrNull(at + ".description");
                    case "input_schema" -> schema = r.isNull() ? null : r.raw();
                    case "cache_control" -> cacheControl = r.isNull() ? null : r.raw();
                    case "strict" -> strict = r.boolOrNull(at + ".strict");
                    default -> {
                        dropped.add(f);
                        r.skip();
                    }
                }
            }
            if (type != null && !type.equals("custom")) {
                throw new FormatException("server tool type '" + type + "' is not supported; only custom tools are",
                        at + ".type");
            }
            for (String d : dropped) {
                warnings.unknown("dropped field", at + "." + d);
            }
            tools.add(new Tool(AnthropicWire.require(name, at + ".name"), description, schema, strict, cacheControl));
        }
        return tools;
    }

    private static ToolChoice readToolChoice(JsonReader r, Boolean[] parallel) {
        String type = null;
        String name = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string("tool_choice.type");
                case "name" -> name = r.stringOrNull("tool_choice.name");
                case "disable_parallel_tool_use" -> {
                    Boolean disable = r.boolOrNull("tool_choice.disable_parallel_tool_use");
                    parallel[0] = disable == null ? null : !disable;
                }
                default -> r.skip();
            }
        }
        if (type == null) {
            throw new FormatException("tool_choice.type is required", "tool_choice.type");
        }
        return switch (type) {
            case "auto" -> ToolChoice.AUTO;
            case "any" -> ToolChoice.REQUIRED;
            case "none" -> ToolChoice.NONE;
            case "tool" -> ToolChoice.tool(AnthropicWire.require(name, "tool_choice.name"));
            default -> throw new FormatException("unknown tool_choice type '" + type + "'", "tool_choice.type");
        };
    }

    /**
     * Renders a canonical request for Anthropic.
     *
     * @param upstreamModel    the model name Anthropic knows
     * @param stream           whether to ask for a stream
     * @param defaultMaxTokens the {@code max_tokens} to send when the request has none (Anthropic requires it)
     * @throws FormatException when the request holds something Anthropic cannot take (a block kept opaque
     *                         from another format); {@link FormatException#param()} names its place in the
     *                         canonical request
     */
    public static byte[] write(ChatRequest request, String upstreamModel, boolean stream, int defaultMaxTokens,
            Warnings warnings) {
        Warnings once = Warnings.once(warnings);
        JsonWriter w = new JsonWriter(1024);
        w.startObject().field("model", upstreamModel)
                .field("max_tokens").value(request.maxTokens().orElse(defaultMaxTokens));

        List<ContentBlock> system = new ArrayList<>(request.system());
        List<Turn> turns = new ArrayList<>();
        List<Message> messages = request.messages();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            String at = "messages[" + i + "]";
            if (m.name() != null) {
                once.unknown("dropped message name", at);
            }
            if (m.role() == Role.SYSTEM) {
                once.unknown("system message moved into system", at);
                for (ContentBlock b : m.content()) {
                    if (!(b instanceof ContentBlock.Text)) {
                        throw new FormatException("a system message holds text, not " + b.kind(), at);
                    }
                    system.add(b);
                }
                continue;
            }
            Turn turn = new Turn(m.role());
            for (int j = 0; j < m.content().size(); j++) {
                ContentBlock b = m.content().get(j);
                String bat = at + ".content[" + j + "]";
                if (!AnthropicWire.writable(b)) {
                    if (b instanceof ContentBlock.Thinking) {
                        once.unknown("dropped thinking without a signature (Anthropic requires one)", bat);
                    }
                    continue;
                }
                if (b instanceof ContentBlock.ToolResult && m.role() != Role.USER) {
                    throw new FormatException("a tool result belongs in a user message", bat);
                }
                if (b instanceof ContentBlock.ToolUse && m.role() != Role.ASSISTANT) {
                    throw new FormatException("a tool call belongs in an assistant message", bat);
                }
                turn.add(b, bat);
            }
            if (turn.blocks.isEmpty()) {
                if (!m.content().isEmpty()) {
                    once.unknown("dropped a message with nothing Anthropic can take", at);
                }
                continue;
            }
            Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
            if (last != null && last.role == turn.role) {
                last.merge(turn);
            } else {
                turns.add(turn);
            }
        }

        if (!system.isEmpty()) {
            w.field("system");
            if (system.size() == 1 && ((ContentBlock.Text) system.get(0)).cacheControl() == null) {
                w.value(((ContentBlock.Text) system.get(0)).text());
            } else {
                w.startArray();
                for (int k = 0; k < system.size(); k++) {
                    AnthropicWire.writeBlock(w, system.get(k), "system[" + k + "]", false, once);
                }
                w.endArray();
            }
        }
        w.field("messages").startArray();
        for (Turn t : turns) {
            t.write(w, once);
        }
        w.endArray();

        if (!request.tools().isEmpty()) {
            w.field("tools").startArray();
            for (Tool t : request.tools()) {
                w.startObject().field("name", t.name());
                if (t.description() != null) {
                    w.field("description", t.description());
                }
                w.field("input_schema");
                w.raw(t.parameters() != null ? t.parameters().json() : "{\"type\":\"object\"}");
                if (t.strict() != null) {
                    w.field("strict").value(t.strict());
                }
                AnthropicWire.writeCacheControl(w, t.cacheControl());
                w.endObject();
            }
            w.endArray();
        }
        ToolChoice choice = request.toolChoice().orElse(null);
        boolean disableParallel = request.parallelToolCalls().map(p -> !p).orElse(false);
        if (choice != null || disableParallel) {
            w.field("tool_choice").startObject();
            ToolChoice c = choice == null ? ToolChoice.AUTO : choice;
            switch (c.mode()) {
                case AUTO -> w.field("type", "auto");
                case NONE -> w.field("type", "none");
                case REQUIRED -> w.field("type", "any");
                case TOOL -> w.field("type", "tool").field("name", c.name());
            }
            if (disableParallel && c.mode() != ToolChoice.Mode.NONE) {
                w.field("disable_parallel_tool_use").value(true);
            }
            w.endObject();
        }
        if (!request.stop().isEmpty()) {
            w.field("stop_sequences").startArray();
            for (String s : request.stop()) {
                w.value(s);
            }
            w.endArray();
        }
        request.temperature().ifPresent(v -> w.field("temperature").value(v));
        request.topP().ifPresent(v -> w.field("top_p").value(v));
        request.topK().ifPresent(v -> w.field("top_k").value(v));
        request.seed().ifPresent(v -> once.unknown("dropped field Anthropic has no equivalent for", "seed"));
        request.presencePenalty().ifPresent(v -> once.unknown("dropped field Anthropic has no equivalent for",
                "presence_penalty"));
        request.frequencyPenalty().ifPresent(v -> once.unknown("dropped field Anthropic has no equivalent for",
                "frequency_penalty"));
        if (stream) {
            w.field("stream").value(true);
        }
        request.user().ifPresent(u -> w.field("metadata").startObject().field("user_id", u).endObject());
        if (!request.metadata().isEmpty()) {
            once.unknown("dropped field Anthropic has no equivalent for", "metadata");
        }
        Reasoning reasoning = request.reasoning().orElse(null);
        boolean thinking = reasoning != null && reasoning.budgetTokens() != null;
        if (thinking) {
            w.field("thinking").startObject().field("type", "enabled")
                    .field("budget_tokens").value(reasoning.budgetTokens()).endObject();
        }
        ResponseFormat format = request.responseFormat().orElse(null);
        if (format != null && format.type() == ResponseFormat.Type.JSON_OBJECT) {
            once.unknown("dropped response format Anthropic has no equivalent for", "json_object");
        }
        boolean schema = format != null && format.type() == ResponseFormat.Type.JSON_SCHEMA;
        String effort = reasoning == null ? null : reasoning.effort();
        if (schema || effort != null) {
            w.field("output_config").startObject();
            if (effort != null) {
                w.field("effort", effort);
            }
            if (schema) {
                w.field("format").startObject().field("type", "json_schema").field("schema").raw(format.schema())
                        .endObject();
            }
            w.endObject();
        }
        if (!request.extra().isEmpty()) {
            boolean ours = request.extraFormat() == WireFormat.ANTHROPIC_MESSAGES;
            request.extra().forEach((name, json) -> {
                if (!ours) {
                    once.unknown("dropped " + request.extraFormat() + " field", name);
                } else if (MAPPED.contains(name) && !(name.equals("thinking") && !thinking)) {
                    once.unknown("dropped extra field that shadows a mapped one", name);
                } else {
                    w.field(name).raw(json);
                }
            });
        }
        w.endObject();
        return w.take();
    }

    /** One message being written, with the blocks of the same-role messages merged into it. */
    private static final class Turn {
        final Role role;
        final List<ContentBlock> blocks = new ArrayList<>();
        final List<String> at = new ArrayList<>();

        Turn(Role role) {
            this.role = role;
        }

        void add(ContentBlock b, String where) {
            blocks.add(b);
            at.add(where);
        }

        void merge(Turn other) {
            blocks.addAll(other.blocks);
            at.addAll(other.at);
        }

        /** Anthropic wants a user turn's tool results before anything else in it. */
        void write(JsonWriter w, Warnings once) {
            w.startObject().field("role", role == Role.USER ? "user" : "assistant").field("content");
            if (blocks.size() == 1 && blocks.get(0) instanceof ContentBlock.Text t && t.cacheControl() == null) {
                w.value(t.text());
            } else {
                w.startArray();
                if (role == Role.USER) {
                    for (int k = 0; k < blocks.size(); k++) {
                        if (blocks.get(k) instanceof ContentBlock.ToolResult) {
                            AnthropicWire.writeBlock(w, blocks.get(k), at.get(k), false, once);
                        }
                    }
                }
                for (int k = 0; k < blocks.size(); k++) {
                    if (role != Role.USER || !(blocks.get(k) instanceof ContentBlock.ToolResult)) {
                        AnthropicWire.writeBlock(w, blocks.get(k), at.get(k), false, once);
                    }
                }
                w.endArray();
            }
            w.endObject();
        }
    }
}
