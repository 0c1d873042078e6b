package dev.tollgate.kernel.codec;

/**
 * The prompt-token estimate the facts carry: about four characters of text per token, plus
 * allowances per message and per image, plus a quarter of the bytes of tool definitions. It leans
 * high on purpose (admission reserves against it; settlement uses the provider's count).
 */
final class PromptEstimate {

    static final int PER_MESSAGE = 4;
    static final int PER_IMAGE = 1600;
    static final int REPLY_PRIMING = 3;

    private long characters;
    private long toolBytes;
    private int messages;
    private int images;

    void text(int length) {
        characters += length;
    }

    void tools(long bytes) {
        toolBytes += bytes;
    }

    void message() {
        messages++;
    }

    void image() {
        images++;
    }

    int images() {
        return images;
    }

    long tokens() {
        return (characters + 3) / 4 + (toolBytes + 3) / 4 + (long) PER_MESSAGE * messages + (long) PER_IMAGE * images + REPLY_PRIMING;
    }
}
