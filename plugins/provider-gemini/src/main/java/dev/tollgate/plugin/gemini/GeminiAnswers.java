package dev.tollgate.plugin.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Reads Gemini's {@code GenerateContentResponse} into the canonical model, whole or as stream chunks.
 *
 * <ul>
 *   <li>The first candidate's parts: {@code text} → text, {@code text} with {@code thought: true} →
 *       thinking, {@code functionCall} → a tool call (its {@code id} when Gemini gives one, else one made
 *       up here, {@code call_} and 24 random characters), a {@code thoughtSignature} → the signature of a
 *       thinking block just before the part it signs (an empty one when the part has no thoughts before
 *       it), so Anthropic-format clients carry it back. Any other part type ({@code executableCode},
 *       {@code inlineData} output, a type added later) has no canonical block: skipped, logged and counted.
 *   <li>{@code finishReason}: {@code STOP} → end of turn (tool use when the answer calls tools),
 *       {@code MAX_TOKENS} → output limit, {@code SAFETY}, {@code RECITATION}, {@code BLOCKLIST},
 *       {@code PROHIBITED_CONTENT}, {@code SPII} and the {@code IMAGE_} variants → content filter;
 *       {@code LANGUAGE}, {@code MALFORMED_FUNCTION_CALL}, {@code UNEXPECTED_TOOL_CALL},
 *       {@code TOO_MANY_TOOL_CALLS}, {@code OTHER} → other; anything else → other, reported.
 *   <li>{@code usageMetadata}: input = {@code promptTokenCount + toolUsePromptTokenCount}, cached =
 *       {@code cachedContentTokenCount}, output = {@code candidatesTokenCount + thoughtsTokenCount},
 *       reasoning = {@code thoughtsTokenCount}.
 * </ul>
 */
final class GeminiAnswers {

    private GeminiAnswers() {}

    /** A whole answer; {@code blocked} is thrown by the caller when the prompt was blocked. */
    static ChatResponse response(JsonNode root, String fallbackId, String upstreamModel, Warnings warnings) {
        JsonNode candidate = root.path("candidates").path(0);
        List<ContentBlock> content = new ArrayList<>();
        for (JsonNode part : candidate.path("content").path("parts")) {
            String signature = text(part, "thoughtSignature");
            boolean thought = part.path("thought").asBoolean(false);
            if (part.has("text") && thought) {
                content.add(new ContentBlock.Thinking(part.path("text").asText(""), signature));
                continue;
            }
            if (signature != null && (part.has("text") || part.has("functionCall"))) {
                content.add(new ContentBlock.Thinking("", signature));
            }
            if (part.has("text")) {
                content.add(ContentBlock.Text.of(part.path("text").asText("")));
            } else if (part.has("functionCall")) {
                content.add(toolUse(part.path("functionCall")));
            } else {
                warnings.unknown("dropped part of unknown type", partType(part));
            }
        }
        boolean calls = content.stream().anyMatch(b -> b instanceof ContentBlock.ToolUse);
        ChatResponse.Builder b = ChatResponse.builder()
                .id(idOf(root, fallbackId))
                .model(modelOf(root, upstreamModel))
                .content(mergeText(content))
                .stopReason(stopReason(text(candidate, "finishReason"), calls, warnings));
        Usage usage = usage(root.path("usageMetadata"));
        if (usage != null) {
            b.usage(usage);
        }
        return b.build();
    }

    /** Adjacent text parts of one answer are one text block, as the model wrote them in one turn. */
    private static List<ContentBlock> mergeText(List<ContentBlock> blocks) {
        List<ContentBlock> out = new ArrayList<>();
        for (ContentBlock b : blocks) {
            if (b instanceof ContentBlock.Text t && !out.isEmpty() && out.getLast() instanceof ContentBlock.Text last) {
                out.set(out.size() - 1, ContentBlock.Text.of(last.text() + t.text()));
            } else {
                out.add(b);
            }
        }
        return out;
    }

    static String idOf(JsonNode root, String fallback) {
        String id = text(root, "responseId");
        return id == null || id.isEmpty() ? fallback : id;
    }

    static String modelOf(JsonNode root, String fallback) {
        String m = text(root, "modelVersion");
        return m == null || m.isEmpty() ? fallback : m;
    }

    static ContentBlock.ToolUse toolUse(JsonNode call) {
        String id = text(call, "id");
        JsonNode args = call.get("args");
        String json = args == null || args.isNull() ? "{}" : args.toString();
        return new ContentBlock.ToolUse(id == null || id.isEmpty() ? newCallId() : id, call.path("name").asText(""), json);
    }

    static String newCallId() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder("call_");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 24; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static String partType(JsonNode part) {
        var names = part.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals("thoughtSignature") && !n.equals("thought") && !n.equals("partMetadata")) {
                return n;
            }
        }
        return "empty part";
    }

    static StopReason stopReason(String finish, boolean toolCalls, Warnings warnings) {
        if (finish == null) {
            warnings.unknown("missing finishReason", "null");
            return StopReason.OTHER;
        }
        return switch (finish) {
            case "STOP" -> toolCalls ? StopReason.TOOL_USE : StopReason.END_TURN;
            case "MAX_TOKENS" -> StopReason.MAX_TOKENS;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
                    "IMAGE_RECITATION" -> StopReason.CONTENT_FILTER;
            case "LANGUAGE", "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS", "OTHER", "IMAGE_OTHER",
                    "NO_IMAGE", "FINISH_REASON_UNSPECIFIED" -> StopReason.OTHER;
            default -> {
                warnings.unknown("unknown finishReason", finish);
                yield StopReason.OTHER;
            }
        };
    }

    /** The usage a {@code usageMetadata} object reports, or {@code null} when it is absent. */
    static Usage usage(JsonNode u) {
        if (u == null || !u.isObject() || u.isEmpty()) {
            return null;
        }
        long prompt = count(u, "promptTokenCount") + count(u, "toolUsePromptTokenCount");
        long thoughts = count(u, "thoughtsTokenCount");
        long cached = Math.min(prompt, count(u, "cachedContentTokenCount"));
        return Usage.builder().inputTokens(prompt).cachedInputTokens(cached)
                .outputTokens(count(u, "candidatesTokenCount") + thoughts).reasoningTokens(thoughts).build();
    }

    private static long count(JsonNode u, String field) {
        JsonNode n = u.get(field);
        return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : 0;
    }

    static String text(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    /** Why the prompt was blocked ({@code promptFeedback.blockReason}), or {@code null}. */
    static String blockReason(JsonNode root) {
        return text(root.path("promptFeedback"), "blockReason");
    }

    /**
     * Turns a stream of chunks into canonical events: text and thoughts as deltas of one open block,
     * each function call as a whole tool-use block (Gemini sends calls whole, never split), the message
     * end when the upstream closes after a chunk with a {@code finishReason}.
     */
    static final class StreamTranslator {
        private final Consumer<StreamEvent> out;
        private final String fallbackId;
        private final String upstreamModel;
        private final Warnings warnings;
        private boolean started;
        private int next;
        private int open = -1;
        private Kind openKind;
        private String finish;
        private boolean toolCalls;
        private Usage usage;

        private enum Kind { TEXT, THINKING }

        StreamTranslator(Consumer<StreamEvent> out, String fallbackId, String upstreamModel, Warnings warnings) {
            this.out = out;
            this.fallbackId = fallbackId;
            this.upstreamModel = upstreamModel;
            this.warnings = warnings;
        }

        boolean started() {
            return started;
        }

        /** Whether a chunk named why the answer ended. */
        boolean finished() {
            return finish != null;
        }

        void chunk(JsonNode root) {
            if (!started) {
                started = true;
                out.accept(new StreamEvent.MessageStart(idOf(root, fallbackId), modelOf(root, upstreamModel), null));
            }
            JsonNode candidate = root.path("candidates").path(0);
            for (JsonNode part : candidate.path("content").path("parts")) {
                part(part);
            }
            String f = text(candidate, "finishReason");
            if (f != null) {
                finish = f;
            }
            Usage u = usage(root.path("usageMetadata"));
            if (u != null) {
                usage = u;
            }
        }

        private void part(JsonNode part) {
            String signature = text(part, "thoughtSignature");
            boolean thought = part.path("thought").asBoolean(false);
            if (part.has("text") && thought) {
                delta(Kind.THINKING, part.path("text").asText(""));
                if (signature != null) {
                    out.accept(new StreamEvent.SignatureDelta(open, signature));
                }
                return;
            }
            if (signature != null && (part.has("text") || part.has("functionCall"))) {
                if (openKind != Kind.THINKING) {
                    startBlock(Kind.THINKING, new ContentBlock.Thinking("", null));
                }
                out.accept(new StreamEvent.SignatureDelta(open, signature));
                close();
            }
            if (part.has("text")) {
                delta(Kind.TEXT, part.path("text").asText(""));
            } else if (part.has("functionCall")) {
                close();
                ContentBlock.ToolUse call = toolUse(part.path("functionCall"));
                int index = next++;
                out.accept(new StreamEvent.BlockStart(index, new ContentBlock.ToolUse(call.id(), call.name(), "")));
                out.accept(new StreamEvent.ToolArgumentsDelta(index, call.arguments()));
                out.accept(new StreamEvent.BlockStop(index));
                toolCalls = true;
            } else {
                warnings.unknown("dropped streamed part of unknown type", partType(part));
            }
        }

        private void delta(Kind kind, String text) {
            if (openKind != kind) {
                close();
                startBlock(kind, kind == Kind.TEXT ? ContentBlock.Text.of("") : new ContentBlock.Thinking("", null));
            }
            if (!text.isEmpty()) {
                out.accept(kind == Kind.TEXT ? new StreamEvent.TextDelta(open, text) : new StreamEvent.ThinkingDelta(open, text));
            }
        }

        private void startBlock(Kind kind, ContentBlock block) {
            close();
            open = next++;
            openKind = kind;
            out.accept(new StreamEvent.BlockStart(open, block));
        }

        private void close() {
            if (open >= 0) {
                out.accept(new StreamEvent.BlockStop(open));
                open = -1;
                openKind = null;
            }
        }

        /** The stream ended after its finish reason: closes the open block and ends the message. */
        void end() {
            close();
            out.accept(new StreamEvent.MessageEnd(stopReason(finish, toolCalls, warnings), null, usage));
        }
    }
}
