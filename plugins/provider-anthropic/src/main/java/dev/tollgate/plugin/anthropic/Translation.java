package dev.tollgate.plugin.anthropic;

import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.catalog.Capability;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Reasoning;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.ToolChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the adapter decides before a canonical request (from an OpenAI-format client) is written as an
 * Anthropic request: the output limit Anthropic requires, extended thinking from a reasoning effort, and
 * where prompt-cache breakpoints go. Each rule is in {@code docs/providers.md}; everything it changes or
 * leaves out is reported to {@link Warnings}.
 *
 * @param request   the request to write
 * @param maxTokens the {@code max_tokens} to send when the request names none
 */
record Translation(ChatRequest request, int maxTokens) {

    /** Anthropic's smallest thinking budget. */
    static final int MIN_THINKING_BUDGET = 1024;
    /** Prompt-caching marker for the breakpoints the gateway places (the 5-minute cache). */
    static final RawJson EPHEMERAL = RawJson.of("{\"type\":\"ephemeral\"}");
    /** Characters per token of the size estimate for cache breakpoints. */
    static final int CHARS_PER_TOKEN = 4;

    static Translation of(ChatRequest request, String upstreamModel, ModelInfo info, AnthropicConfig config, Warnings warnings) {
        int defaultMax = config.defaultMaxTokens()
                .orElseGet(() -> info != null && info.maxOutputTokens().isPresent()
                        ? (int) Math.min(Integer.MAX_VALUE, info.maxOutputTokens().getAsLong())
                        : AnthropicConfig.FALLBACK_MAX_TOKENS);
        ChatRequest.Builder b = request.toBuilder();
        int maxTokens = defaultMax;
        Integer budget = thinkingBudget(request, info, warnings);
        if (budget != null) {
            Integer asked = request.maxTokens().orElse(null);
            if (asked != null && asked <= budget) {
                budget = asked - 1;
                if (budget < MIN_THINKING_BUDGET) {
                    warnings.unknown("thinking left off: max_tokens leaves no room for the minimum budget of 1024", "max_tokens");
                    budget = null;
                }
            } else if (asked == null && defaultMax <= budget) {
                maxTokens = budget + defaultMax;
            }
        }
        if (budget != null) {
            b.reasoning(new Reasoning(null, budget));
            samplingForThinking(request, b, warnings);
        } else {
            b.reasoning(null);
        }
        if (config.promptCaching() == AnthropicConfig.PromptCaching.AUTO && !hasBreakpoint(request)) {
            placeBreakpoints(request, b, config.cacheMinTokens().orElse(minimumCacheable(upstreamModel)));
        }
        return new Translation(b.build(), maxTokens);
    }

    /**
     * The budget to enable thinking with, or {@code null} for none. An OpenAI effort becomes a budget:
     * minimal 1024, low 2048, medium 8192, high 16384 tokens (the inverse of the formats module's budget
     * to effort rule, so a budget survives a round trip).
     */
    private static Integer thinkingBudget(ChatRequest request, ModelInfo info, Warnings warnings) {
        Reasoning r = request.reasoning().orElse(null);
        if (r == null) {
            return null;
        }
        if (info != null && !info.capabilities().isEmpty() && !info.has(Capability.REASONING)) {
            warnings.unknown("thinking left off: the catalog lists no reasoning for the model", info.name());
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
                    warnings.unknown("thinking left off: unknown reasoning effort", r.effort());
                    yield 0;
                }
            };
        }
        if (budget == 0) {
            return null;
        }
        ToolChoice choice = request.toolChoice().orElse(null);
        if (choice != null && (choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.TOOL)) {
            warnings.unknown("thinking left off: Anthropic does not think when a tool call is forced", "tool_choice");
            return null;
        }
        if (unsignedToolTurn(request.messages())) {
            warnings.unknown("thinking left off: the last assistant tool call has no signed thinking to send back", "messages");
            return null;
        }
        return Math.max(MIN_THINKING_BUDGET, budget);
    }

    /**
     * Anthropic requires the thinking block (with its signature) that preceded the assistant's last tool
     * calls when thinking is on. OpenAI-format clients cannot carry signatures, so such a turn is sent with
     * thinking off rather than refused.
     */
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

    /** With thinking on Anthropic takes only temperature 1, no top_k and top_p from 0.95. */
    private static void samplingForThinking(ChatRequest request, ChatRequest.Builder b, Warnings warnings) {
        if (request.temperature().filter(t -> t != 1.0).isPresent()) {
            warnings.unknown("dropped with thinking on (Anthropic takes only 1)", "temperature");
            b.temperature(null);
        }
        if (request.topK().isPresent()) {
            warnings.unknown("dropped with thinking on (Anthropic refuses it)", "top_k");
            b.topK(null);
        }
        if (request.topP().filter(p -> p < 0.95).isPresent()) {
            warnings.unknown("dropped with thinking on (Anthropic takes 0.95 to 1)", "top_p");
            b.topP(null);
        }
    }

    /** Whether the client placed any breakpoint itself; the gateway then places none. */
    private static boolean hasBreakpoint(ChatRequest request) {
        for (ContentBlock c : request.system()) {
            if (c instanceof ContentBlock.Text t && t.cacheControl() != null) {
                return true;
            }
        }
        for (Tool t : request.tools()) {
            if (t.cacheControl() != null) {
                return true;
            }
        }
        for (Message m : request.messages()) {
            for (ContentBlock c : m.content()) {
                if (c instanceof ContentBlock.Text t && t.cacheControl() != null
                        || c instanceof ContentBlock.Image i && i.cacheControl() != null
                        || c instanceof ContentBlock.ToolResult r && r.cacheControl() != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Anthropic caches the prompt prefix up to a breakpoint, in the order tools, system, messages, when
     * that prefix is at least the model's minimum: a breakpoint on the last tool when the tools reach it,
     * and one on the last system block when tools and system together reach it.
     */
    private static void placeBreakpoints(ChatRequest request, ChatRequest.Builder b, int minimum) {
        long tools = 0;
        for (Tool t : request.tools()) {
            tools += estimate(t.name()) + estimate(t.description()) + (t.parameters() == null ? 0 : estimate(t.parameters().json()));
        }
        long system = 0;
        for (ContentBlock c : request.system()) {
            system += estimate(((ContentBlock.Text) c).text());
        }
        if (!request.tools().isEmpty() && tools >= minimum) {
            List<Tool> marked = new ArrayList<>(request.tools());
            Tool last = marked.get(marked.size() - 1);
            marked.set(marked.size() - 1, new Tool(last.name(), last.description(), last.parameters(), last.strict(), EPHEMERAL));
            b.tools(marked);
        }
        if (!request.system().isEmpty() && tools + system >= minimum) {
            List<ContentBlock> marked = new ArrayList<>(request.system());
            ContentBlock.Text last = (ContentBlock.Text) marked.get(marked.size() - 1);
            marked.set(marked.size() - 1, new ContentBlock.Text(last.text(), EPHEMERAL));
            b.system(marked);
        }
    }

    private static long estimate(String text) {
        return text == null ? 0 : text.length() / CHARS_PER_TOKEN;
    }

    /**
     * Anthropic's published minimum cacheable prompt, by model family: 4096 tokens for Claude Opus 4.5
     * and Haiku 4.5, 2048 for older Haiku models, 1024 for the others.
     */
    static int minimumCacheable(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        if (m.contains("opus-4-5") || m.contains("haiku-4-5")) {
            return 4096;
        }
        return m.contains("haiku") ? 2048 : 1024;
    }
}
