package dev.tollgate.formats.openai;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;

/** What OpenAI's responses and chunks share: finish reasons and usage. */
final class OpenAiWire {

    static final SerializedString PROMPT_TOKENS = new SerializedString("prompt_tokens");
    static final SerializedString COMPLETION_TOKENS = new SerializedString("completion_tokens");
    static final SerializedString TOTAL_TOKENS = new SerializedString("total_tokens");
    static final SerializedString PROMPT_DETAILS = new SerializedString("prompt_tokens_details");
    static final SerializedString CACHED_TOKENS = new SerializedString("cached_tokens");
    static final SerializedString COMPLETION_DETAILS = new SerializedString("completion_tokens_details");
    static final SerializedString REASONING_TOKENS = new SerializedString("reasoning_tokens");

    private OpenAiWire() {}

    static StopReason stopReason(String finish, Warnings warnings) {
        if (finish == null) {
            warnings.unknown("missing finish_reason", "null");
            return StopReason.OTHER;
        }
        return switch (finish) {
            case "stop" -> StopReason.END_TURN;
            case "length" -> StopReason.MAX_TOKENS;
            case "tool_calls", "function_call" -> StopReason.TOOL_USE;
            case "content_filter" -> StopReason.CONTENT_FILTER;
            default -> {
                warnings.unknown("unknown finish_reason", finish);
                yield StopReason.OTHER;
            }
        };
    }

    static SerializedString finishReason(StopReason reason) {
        return switch (reason) {
            case END_TURN, STOP_SEQUENCE, PAUSE, OTHER -> STOP;
            case MAX_TOKENS -> LENGTH;
            case TOOL_USE -> TOOL_CALLS;
            case CONTENT_FILTER, REFUSAL -> CONTENT_FILTER;
        };
    }

    private static final SerializedString STOP = new SerializedString("stop");
    private static final SerializedString LENGTH = new SerializedString("length");
    private static final SerializedString TOOL_CALLS = new SerializedString("tool_calls");
    private static final SerializedString CONTENT_FILTER = new SerializedString("content_filter");

    /** Reads a {@code usage} object (the cursor on its value); {@code null} when it is null. */
    static Usage readUsage(JsonReader r) {
        if (!r.objectOrNull("usage")) {
            return null;
        }
        Usage.Builder u = Usage.builder();
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "prompt_tokens" -> u.inputTokens(r.count("usage.prompt_tokens"));
                case "completion_tokens" -> u.outputTokens(r.count("usage.completion_tokens"));
                case "prompt_tokens_details" -> {
                    if (r.objectOrNull("usage.prompt_tokens_details")) {
                        String d;
                        while ((d = r.nextField()) != null) {
                            if (d.equals("cached_tokens")) {
                                u.cachedInputTokens(r.count("usage.prompt_tokens_details.cached_tokens"));
                            } else {
                                r.skip();
                            }
                        }
                    }
                }
                case "completion_tokens_details" -> {
                    if (r.objectOrNull("usage.completion_tokens_details")) {
                        String d;
                        while ((d = r.nextField()) != null) {
                            if (d.equals("reasoning_tokens")) {
                                u.reasoningTokens(r.count("usage.completion_tokens_details.reasoning_tokens"));
                            } else {
                                r.skip();
                            }
                        }
                    }
                }
                default -> r.skip();
            }
        }
        return u.build();
    }

    static void writeUsage(JsonWriter w, Usage u) {
        w.startObject()
                .field(PROMPT_TOKENS).value(u.inputTokens())
                .field(COMPLETION_TOKENS).value(u.outputTokens())
                .field(TOTAL_TOKENS).value(u.totalTokens())
                .field(PROMPT_DETAILS).startObject().field(CACHED_TOKENS).value(u.cachedInputTokens()).endObject()
                .field(COMPLETION_DETAILS).startObject().field(REASONING_TOKENS).value(u.reasoningTokens()).endObject()
                .endObject();
    }
}
