package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tollgate.spi.chat.StopReason;

/**
 * One answer: either text (words none containing whitespace, joined with single spaces) or a call
 * of one tool with deterministic arguments, and why it ended: {@code END_TURN}, {@code MAX_TOKENS}
 * when {@code max_tokens} cut a text short, {@code TOOL_USE} for a tool call.
 */
final class Answer {

    private static final String[] VOCABULARY = {
        "the", "gateway", "routes", "each", "request", "to", "a", "model", "and", "streams", "tokens", "back",
        "quickly", "while", "budgets", "limits", "cache", "keys", "stay", "in", "balance", "every", "answer",
        "is", "deterministic", "so", "tests", "can", "rely", "on", "it", "with", "latency", "measured", "per",
        "chunk", "mock", "provider", "returns", "plain", "words", "from", "small", "vocabulary", "that", "reads",
        "almost", "like", "prose", "for", "demos", "benchmarks", "alike", "under", "load", "without", "any",
        "network", "calls", "at", "all", "today", "again", "here"
    };

    private final String[] words;
    private final StopReason stopReason;
    private final String toolName;
    private final String toolArguments;

    private Answer(String[] words, StopReason stopReason, String toolName, String toolArguments) {
        this.words = words;
        this.stopReason = stopReason;
        this.toolName = toolName;
        this.toolArguments = toolArguments;
    }

    String word(int index) {
        return words[index];
    }

    StopReason stopReason() {
        return stopReason;
    }

    /** Text words, or for a tool call the words its arguments count as. */
    int length() {
        return words.length;
    }

    String text() {
        return String.join(" ", words);
    }

    boolean isToolCall() {
        return toolName != null;
    }

    String toolName() {
        return toolName;
    }

    /** The tool call's arguments as a JSON object. */
    String toolArguments() {
        return toolArguments;
    }

    /**
     * A tool call when the request offers tools and its last turn is not a tool result; after a
     * tool result, a text that quotes it; otherwise the configured reply or words drawn from the
     * vocabulary with a generator seeded by the messages' hash.
     */
    static Answer of(MockSettings settings, ChatBody body) {
        if (body.tool() != null) {
            StringBuilder args = new StringBuilder("{");
            String value = body.lastUserText().isBlank() ? "mock" : body.lastUserText().trim();
            for (int i = 0; i < body.tool().argumentNames().size(); i++) {
                args.append(i == 0 ? "" : ",").append('"').append(JsonStringEncoder.getInstance().quoteAsString(body.tool().argumentNames().get(i)))
                        .append("\":\"").append(JsonStringEncoder.getInstance().quoteAsString(value)).append('"');
            }
            args.append('}');
            String[] argWords = args.toString().split("\\s+");
            return new Answer(argWords, StopReason.TOOL_USE, body.tool().name(), args.toString());
        }
        String[] full;
        if (body.toolResult() != null) {
            full = ("The tool returned: " + (body.toolResult().isBlank() ? "nothing" : body.toolResult().trim())).split("\\s+");
        } else {
            full = settings.reply()
                    .map(reply -> reply.toArray(String[]::new))
                    .orElseGet(() -> generate(body.contentHash(), settings.responseTokens()));
        }
        if (body.maxTokens() >= 0 && body.maxTokens() < full.length) {
            String[] cut = new String[body.maxTokens()];
            System.arraycopy(full, 0, cut, 0, cut.length);
            return new Answer(cut, StopReason.MAX_TOKENS, null, null);
        }
        return new Answer(full, StopReason.END_TURN, null, null);
    }

    private static String[] generate(long seed, int length) {
        String[] out = new String[length];
        long state = seed;
        for (int i = 0; i < length; i++) {
            state += 0x9e3779b97f4a7c15L;
            out[i] = VOCABULARY[(int) ((TextHash.splitMix(state) >>> 1) % VOCABULARY.length)];
        }
        out[0] = Character.toUpperCase(out[0].charAt(0)) + out[0].substring(1);
        out[length - 1] = out[length - 1] + ".";
        return out;
    }
}
