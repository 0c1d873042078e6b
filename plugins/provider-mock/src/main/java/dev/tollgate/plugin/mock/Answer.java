package dev.tollgate.plugin.mock;

/**
 * The words of one answer, none containing whitespace, and why it ended: {@code stop}, or
 * {@code length} when {@code max_tokens} cut it short. Its text joins the words with single spaces.
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
    private final String finishReason;

    private Answer(String[] words, String finishReason) {
        this.words = words;
        this.finishReason = finishReason;
    }

    String word(int index) {
        return words[index];
    }

    String finishReason() {
        return finishReason;
    }

    int length() {
        return words.length;
    }

    String text() {
        return String.join(" ", words);
    }

    /** The configured reply, or words drawn from the vocabulary with a generator seeded by {@code contentHash}. */
    static Answer of(MockSettings settings, ChatBody body) {
        String[] full = settings.reply()
                .map(reply -> reply.toArray(String[]::new))
                .orElseGet(() -> generate(body.contentHash(), settings.responseTokens()));
        if (body.maxTokens() >= 0 && body.maxTokens() < full.length) {
            String[] cut = new String[body.maxTokens()];
            System.arraycopy(full, 0, cut, 0, cut.length);
            return new Answer(cut, "length");
        }
        return new Answer(full, "stop");
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
