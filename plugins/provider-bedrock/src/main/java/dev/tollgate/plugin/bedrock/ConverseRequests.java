package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.Reasoning;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.ToolChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a canonical request as a Bedrock Converse request body ({@code messages}, {@code system},
 * {@code inferenceConfig}, {@code toolConfig}, {@code additionalModelRequestFields}). The rules, each in
 * {@code docs/providers.md}:
 *
 * <ul>
 *   <li>consecutive messages of one role are merged (Converse wants turns to alternate); a system
 *       message in the middle of the conversation moves into {@code system};</li>
 *   <li>a prompt-caching marker on a block or tool becomes a {@code cachePoint} right after it;</li>
 *   <li>images must be inline (base64): Converse takes bytes, not URLs;</li>
 *   <li>reasoning is sent only to Anthropic models (ids containing {@code anthropic.}), as
 *       {@code additionalModelRequestFields.thinking} with a token budget, and with the constraints
 *       Anthropic sets on it; other models get none and the loss is reported;</li>
 *   <li>{@code tool_choice: none} sends no tools unless the history holds tool blocks (Converse then
 *       requires the tool list), in which case the tools go without a choice and that is reported.</li>
 * </ul>
 *
 * Whatever Converse cannot carry (seed, penalties, response format…) is reported to {@link Warnings}.
 */
final class ConverseRequests {

    static final int MIN_THINKING_BUDGET = 1024;
    static final int FALLBACK_MAX_TOKENS = 4096;

    private ConverseRequests() {}

    /** Whether {@code modelId} (a model id, inference profile or ARN) names an Anthropic model. */
    static boolean anthropicModel(String modelId) {
        return modelId.toLowerCase(Locale.ROOT).contains("anthropic.");
    }

    /**
     * @param defaultMaxTokens the output limit to send with thinking when the request names none
     *                         (the catalog's maximum output, else {@link #FALLBACK_MAX_TOKENS})
     * @throws FormatException when the request holds something Converse cannot take (a 400 for the client)
     */
    static byte[] write(ChatRequest request, String modelId, int defaultMaxTokens, Warnings warnings) {
        Warnings once = Warnings.once(warnings);
        boolean anthropic = anthropicModel(modelId);
        Integer budget = anthropic ? thinkingBudget(request, once) : null;
        if (!anthropic && request.reasoning().isPresent()) {
            once.unknown("reasoning left off: Bedrock takes it here only for Anthropic models", "reasoning");
        }
        Integer maxTokens = request.maxTokens().orElse(null);
        if (budget != null) {
            if (maxTokens != null && maxTokens <= budget) {
                budget = maxTokens - 1;
                if (budget < MIN_THINKING_BUDGET) {
                    once.unknown("thinking left off: max_tokens leaves no room for the minimum budget of 1024", "max_tokens");
                    budget = null;
                }
            } else if (maxTokens == null) {
                maxTokens = defaultMaxTokens <= budget ? budget + defaultMaxTokens : defaultMaxTokens;
            }
        }
        boolean thinking = budget != null;
        Double temperature = request.temperature().orElse(null);
        Double topP = request.topP().orElse(null);
        Integer topK = request.topK().orElse(null);
        if (thinking) {
            if (temperature != null && temperature != 1.0) {
                once.unknown("dropped with thinking on (Anthropic takes only 1)", "temperature");
                temperature = null;
            }
            if (topP != null && topP < 0.95) {
                once.unknown("dropped with thinking on (Anthropic takes 0.95 to 1)", "top_p");
                topP = null;
            }
            if (topK != null) {
                once.unknown("dropped with thinking on (Anthropic refuses it)", "top_k");
                topK = null;
            }
        }
        if (topK != null && !anthropic) {
            once.unknown("dropped field (Converse has no top_k for this model)", "top_k");
            topK = null;
        }
        dropped(request, once);

        List<ContentBlock> system = new ArrayList<>(request.system());
        List<Message> turns = turns(request.messages(), system, once);

        JsonWriter w = new JsonWriter(1024);
        w.startObject();
        w.field("messages").startArray();
        for (int i = 0; i < turns.size(); i++) {
            Message m = turns.get(i);
            w.startObject().field("role", m.role() == Role.ASSISTANT ? "assistant" : "user").field("content").startArray();
            for (int j = 0; j < m.content().size(); j++) {
                block(w, m.content().get(j), anthropic, "messages[" + i + "].content[" + j + "]", once);
            }
            w.endArray().endObject();
        }
        w.endArray();
        if (!system.isEmpty()) {
            w.field("system").startArray();
            for (ContentBlock b : system) {
                ContentBlock.Text t = (ContentBlock.Text) b;
                w.startObject().field("text", t.text()).endObject();
                cachePoint(w, t.cacheControl() != null);
            }
            w.endArray();
        }
        if (maxTokens != null || temperature != null || topP != null || !request.stop().isEmpty()) {
            w.field("inferenceConfig").startObject();
            if (maxTokens != null) {
                w.field("maxTokens").value((long) maxTokens);
            }
            if (temperature != null) {
                w.field("temperature").value(temperature.doubleValue());
            }
            if (topP != null) {
                w.field("topP").value(topP.doubleValue());
            }
            if (!request.stop().isEmpty()) {
                w.field("stopSequences").startArray();
                request.stop().forEach(w::value);
                w.endArray();
            }
            w.endObject();
        }
        toolConfig(w, request, turns, once);
        if (thinking || topK != null) {
            w.field("additionalModelRequestFields").startObject();
            if (thinking) {
                w.field("thinking").startObject().field("type", "enabled").field("budget_tokens").value((long) budget).endObject();
            }
            if (topK != null) {
                w.field("top_k").value((long) topK);
            }
            w.endObject();
        }
        w.endObject();
        return w.take();
    }

    private static void dropped(ChatRequest r, Warnings once) {
        if (r.seed().isPresent()) {
            once.unknown("dropped field (Converse has none)", "seed");
        }
        if (r.presencePenalty().isPresent()) {
            once.unknown("dropped field (Converse has none)", "presence_penalty");
        }
        if (r.frequencyPenalty().isPresent()) {
            once.unknown("dropped field (Converse has none)", "frequency_penalty");
        }
        if (r.responseFormat().isPresent()) {
            once.unknown("dropped field (Converse has none)", "response_format");
        }
        if (r.parallelToolCalls().filter(p -> !p).isPresent()) {
            once.unknown("dropped field (Converse has none)", "parallel_tool_calls");
        }
        if (r.user().isPresent()) {
            once.unknown("dropped field (Converse has none)", "user");
        }
        if (!r.metadata().isEmpty()) {
            once.unknown("dropped field (Converse has none)", "metadata");
        }
    }

    /** Merges consecutive turns of one role and moves mid-conversation system messages into {@code system}. */
    private static List<Message> turns(List<Message> messages, List<ContentBlock> system, Warnings once) {
        List<Message> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.role() == Role.SYSTEM) {
                once.unknown("system message moved into system", "messages[" + i + "]");
                for (ContentBlock b : m.content()) {
                    if (!(b instanceof ContentBlock.Text)) {
                        throw new FormatException("a system message holds text, not " + b.kind(), "messages[" + i + "]");
                    }
                    system.add(b);
                }
                continue;
            }
            if (!out.isEmpty() && out.get(out.size() - 1).role() == m.role()) {
                Message last = out.remove(out.size() - 1);
                List<ContentBlock> merged = new ArrayList<>(last.content());
                merged.addAll(m.content());
                out.add(Message.of(m.role(), merged));
            } else {
                out.add(m);
            }
        }
        return out;
    }

    private static void block(JsonWriter w, ContentBlock b, boolean anthropic, String at, Warnings once) {
        switch (b) {
            case ContentBlock.Text t -> {
                if (t.text().isEmpty() && t.cacheControl() == null) {
                    return;
                }
                w.startObject().field("text", t.text()).endObject();
                cachePoint(w, t.cacheControl() != null);
            }
            case ContentBlock.Image i -> {
                image(w, i, at);
                cachePoint(w, i.cacheControl() != null);
            }
            case ContentBlock.ToolUse u -> {
                String args = u.arguments().isBlank() ? "{}" : u.arguments();
                if (!JsonWriter.isJsonObject(args)) {
                    throw new FormatException("Bedrock takes tool call arguments only as a JSON object", at + ".arguments");
                }
                w.startObject().field("toolUse").startObject().field("toolUseId", u.id()).field("name", u.name()).field("input").raw(args)
                        .endObject().endObject();
            }
            case ContentBlock.ToolResult r -> {
                w.startObject().field("toolResult").startObject().field("toolUseId", r.toolUseId()).field("content").startArray();
                for (int k = 0; k < r.content().size(); k++) {
                    ContentBlock c = r.content().get(k);
                    if (c instanceof ContentBlock.Text t) {
                        w.startObject().field("text", t.text()).endObject();
                    } else {
                        image(w, (ContentBlock.Image) c, at + ".content[" + k + "]");
                    }
                }
                w.endArray();
                if (r.isError()) {
                    w.field("status", "error");
                }
                w.endObject().endObject();
                cachePoint(w, r.cacheControl() != null);
            }
            case ContentBlock.Thinking t -> {
                if (!anthropic) {
                    once.unknown("reasoning of an earlier turn left off: only Anthropic models take it back", at);
                    return;
                }
                w.startObject().field("reasoningContent").startObject().field("reasoningText").startObject().field("text", t.thinking());
                if (t.signature() != null) {
                    w.field("signature", t.signature());
                }
                w.endObject().endObject().endObject();
            }
            case ContentBlock.RedactedThinking r -> {
                if (!anthropic) {
                    once.unknown("reasoning of an earlier turn left off: only Anthropic models take it back", at);
                    return;
                }
                w.startObject().field("reasoningContent").startObject().field("redactedContent", r.data()).endObject().endObject();
            }
            case ContentBlock.Opaque o -> throw new FormatException("Bedrock cannot take a content block of type '" + o.type() + "'", at);
        }
    }

    private static void image(JsonWriter w, ContentBlock.Image i, String at) {
        if (i.data() == null) {
            throw new FormatException("Bedrock takes images inline (base64 data URLs), not by URL", at);
        }
        String format = switch (i.mediaType().toLowerCase(Locale.ROOT)) {
            case "image/png" -> "png";
            case "image/jpeg", "image/jpg" -> "jpeg";
            case "image/gif" -> "gif";
            case "image/webp" -> "webp";
            default -> throw new FormatException("Bedrock takes png, jpeg, gif or webp images, not " + i.mediaType(), at);
        };
        w.startObject().field("image").startObject().field("format", format).field("source").startObject().field("bytes", i.data())
                .endObject().endObject().endObject();
    }

    private static void cachePoint(JsonWriter w, boolean marked) {
        if (marked) {
            w.startObject().field("cachePoint").startObject().field("type", "default").endObject().endObject();
        }
    }

    private static void toolConfig(JsonWriter w, ChatRequest request, List<Message> turns, Warnings once) {
        if (request.tools().isEmpty()) {
            return;
        }
        ToolChoice choice = request.toolChoice().orElse(null);
        if (choice != null && choice.mode() == ToolChoice.Mode.NONE) {
            if (!hasToolBlocks(turns)) {
                return;
            }
            once.unknown("tool_choice none sent as no choice: Converse has no 'none' and needs the tools for the history", "tool_choice");
            choice = null;
        }
        w.field("toolConfig").startObject().field("tools").startArray();
        for (Tool t : request.tools()) {
            w.startObject().field("toolSpec").startObject().field("name", t.name());
            if (t.description() != null) {
                w.field("description", t.description());
            }
            w.field("inputSchema").startObject().field("json");
            if (t.parameters() != null) {
                w.raw(t.parameters());
            } else {
                w.raw("{\"type\":\"object\",\"properties\":{}}");
            }
            w.endObject().endObject().endObject();
            if (Boolean.TRUE.equals(t.strict())) {
                once.unknown("dropped field (Converse has no strict tools)", "tools[].strict");
            }
            cachePoint(w, t.cacheControl() != null);
        }
        w.endArray();
        if (choice != null) {
            w.field("toolChoice").startObject();
            switch (choice.mode()) {
                case AUTO -> w.field("auto").startObject().endObject();
                case REQUIRED -> w.field("any").startObject().endObject();
                case TOOL -> w.field("tool").startObject().field("name", choice.name()).endObject();
                case NONE -> { }
            }
            w.endObject();
        }
        w.endObject();
    }

    private static boolean hasToolBlocks(List<Message> turns) {
        for (Message m : turns) {
            for (ContentBlock b : m.content()) {
                if (b instanceof ContentBlock.ToolUse || b instanceof ContentBlock.ToolResult) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The thinking budget for an Anthropic model, or {@code null} for none: a budget as given, an effort
     * as minimal 1024, low 2048, medium 8192, high 16384 tokens (provider-anthropic's rule), at least 1024.
     */
    private static Integer thinkingBudget(ChatRequest request, Warnings once) {
        Reasoning r = request.reasoning().orElse(null);
        if (r == null) {
            return null;
        }
        Integer budget = r.budgetTokens();
        if (budget == null) {
            budget = switch (r.effort().toLowerCase(Locale.ROOT)) {
                case "none" -> 0;
                case "minimal" -> 1024;
                case "low" -> 2048;
                case "medium" -> 8192;
                case "high", "xhigh" -> 16384;
                default -> {
                    once.unknown("thinking left off: unknown reasoning effort", r.effort());
                    yield 0;
                }
            };
        }
        if (budget == 0) {
            return null;
        }
        ToolChoice choice = request.toolChoice().orElse(null);
        if (choice != null && (choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.TOOL)) {
            once.unknown("thinking left off: Anthropic does not think when a tool call is forced", "tool_choice");
            return null;
        }
        if (unsignedToolTurn(request.messages())) {
            once.unknown("thinking left off: the last assistant tool call has no signed thinking to send back", "messages");
            return null;
        }
        return Math.max(MIN_THINKING_BUDGET, budget);
    }

    private static boolean unsignedToolTurn(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            Message m = messages.get(i);
            if (m.role() != Role.ASSISTANT) {
                continue;
            }
            boolean toolUse = false;
            boolean signed = false;
            for (ContentBlock c : m.content()) {
                if (c instanceof ContentBlock.ToolUse) {
                    toolUse = true;
                } else if (c instanceof ContentBlock.Thinking t && t.signature() != null && !t.signature().isEmpty()
                        || c instanceof ContentBlock.RedactedThinking) {
                    signed = true;
                }
            }
            return toolUse && !signed;
        }
        return false;
    }
}
