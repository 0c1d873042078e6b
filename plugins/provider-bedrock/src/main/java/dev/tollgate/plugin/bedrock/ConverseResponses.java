package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Converse answers: the response document, and the pieces the stream shares with it (stop
 * reasons, usage, {@code additionalModelResponseFields.stop_sequence}).
 */
final class ConverseResponses {

    private ConverseResponses() {}

    /**
     * Bedrock's stop reasons; one it does not document is {@code OTHER}, reported.
     * {@code guardrail_intervened} and {@code content_filtered} are both the provider withholding output.
     */
    static StopReason stopReason(String reason, Warnings warnings) {
        return switch (reason) {
            case "end_turn" -> StopReason.END_TURN;
            case "tool_use" -> StopReason.TOOL_USE;
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "stop_sequence" -> StopReason.STOP_SEQUENCE;
            case "guardrail_intervened", "content_filtered" -> StopReason.CONTENT_FILTER;
            default -> {
                warnings.unknown("unknown stop reason", reason);
                yield StopReason.OTHER;
            }
        };
    }

    /**
     * A {@code usage} object, the reader on its start. Bedrock reports cache reads and writes beside
     * {@code inputTokens} (its {@code totalTokens} is the sum of all four), so they are added to the
     * canonical input count; when {@code totalTokens} shows they were already part of {@code inputTokens}
     * they are not added again.
     */
    static Usage usage(JsonReader r, String at) {
        r.object(at);
        long input = 0;
        long output = 0;
        long cacheRead = 0;
        long cacheWrite = 0;
        Long total = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "inputTokens" -> input = r.count(at + ".inputTokens");
                case "outputTokens" -> output = r.count(at + ".outputTokens");
                case "cacheReadInputTokens" -> cacheRead = r.count(at + ".cacheReadInputTokens");
                case "cacheWriteInputTokens" -> cacheWrite = r.count(at + ".cacheWriteInputTokens");
                case "totalTokens" -> total = r.count(at + ".totalTokens");
                default -> r.skip();
            }
        }
        boolean included = total != null && cacheRead + cacheWrite > 0 && total == input + output;
        long canonicalInput = included ? input : input + cacheRead + cacheWrite;
        return Usage.builder().inputTokens(canonicalInput).outputTokens(output).cachedInputTokens(cacheRead).cacheWriteTokens(cacheWrite)
                .build();
    }

    /** {@code additionalModelResponseFields.stop_sequence} (Anthropic models report the matched sequence there), or {@code null}. */
    static String stopSequence(JsonReader r) {
        if (!r.isObject()) {
            r.skip();
            return null;
        }
        String found = null;
        String f;
        while ((f = r.nextField()) != null) {
            if (f.equals("stop_sequence") && r.isString()) {
                found = r.string("additionalModelResponseFields.stop_sequence");
            } else {
                r.skip();
            }
        }
        return found;
    }

    /**
     * A Converse response body.
     *
     * @param id    the answer's id (Converse has none in the body: the adapter passes the request id AWS returned)
     * @param model the model id that answered
     */
    static ChatResponse parse(byte[] body, int length, String id, String model, Warnings warnings) {
        List<ContentBlock> content = new ArrayList<>();
        StopReason stop = null;
        String stopSequence = null;
        Usage usage = null;
        try (JsonReader r = JsonReader.of(body, 0, length)) {
            r.rootObject("a Converse response");
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "output" -> output(r, content, warnings);
                    case "stopReason" -> stop = stopReason(r.string("stopReason"), warnings);
                    case "usage" -> usage = usage(r, "usage");
                    case "additionalModelResponseFields" -> stopSequence = stopSequence(r);
                    default -> r.skip();
                }
            }
            r.end();
        }
        if (stop == null) {
            throw new FormatException("a Converse response has a stopReason", "stopReason");
        }
        return ChatResponse.builder().id(id).model(model).content(content).stopReason(stop)
                .stopSequence(stop == StopReason.STOP_SEQUENCE ? stopSequence : null).usage(usage).build();
    }

    private static void output(JsonReader r, List<ContentBlock> content, Warnings warnings) {
        r.object("output");
        String f;
        while ((f = r.nextField()) != null) {
            if (!f.equals("message")) {
                r.skip();
                continue;
            }
            r.object("output.message");
            String g;
            while ((g = r.nextField()) != null) {
                if (!g.equals("content") || !r.arrayOrNull("output.message.content")) {
                    r.skip();
                    continue;
                }
                int i = 0;
                while (r.nextElement()) {
                    ContentBlock b = block(r, "output.message.content[" + i++ + "]", warnings);
                    if (b != null) {
                        content.add(b);
                    }
                }
            }
        }
    }

    /** One content block; an unknown kind is reported and left out ({@code null}). */
    private static ContentBlock block(JsonReader r, String at, Warnings warnings) {
        r.object(at);
        ContentBlock found = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "text" -> found = ContentBlock.Text.of(r.string(at + ".text"));
                case "toolUse" -> found = toolUse(r, at + ".toolUse");
                case "reasoningContent" -> found = reasoning(r, at + ".reasoningContent", warnings);
                default -> {
                    warnings.unknown("unknown content block left out", f);
                    r.skip();
                }
            }
        }
        return found;
    }

    private static ContentBlock toolUse(JsonReader r, String at) {
        r.object(at);
        String id = null;
        String name = null;
        String input = "{}";
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "toolUseId" -> id = r.string(at + ".toolUseId");
                case "name" -> name = r.string(at + ".name");
                case "input" -> input = r.raw().json();
                default -> r.skip();
            }
        }
        if (id == null || name == null) {
            throw new FormatException(at + " needs a toolUseId and a name", at);
        }
        return new ContentBlock.ToolUse(id, name, input);
    }

    private static ContentBlock reasoning(JsonReader r, String at, Warnings warnings) {
        r.object(at);
        ContentBlock found = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "reasoningText" -> {
                    r.object(at + ".reasoningText");
                    String text = "";
                    String signature = null;
                    String g;
                    while ((g = r.nextField()) != null) {
                        switch (g) {
                            case "text" -> text = r.string(at + ".reasoningText.text");
                            case "signature" -> signature = r.stringOrNull(at + ".reasoningText.signature");
                            default -> r.skip();
                        }
                    }
                    found = new ContentBlock.Thinking(text, signature);
                }
                case "redactedContent" -> found = new ContentBlock.RedactedThinking(r.string(at + ".redactedContent"));
                default -> {
                    warnings.unknown("unknown reasoning content left out", f);
                    r.skip();
                }
            }
        }
        return found;
    }
}
