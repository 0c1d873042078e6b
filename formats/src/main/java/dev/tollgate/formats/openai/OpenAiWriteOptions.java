package dev.tollgate.formats.openai;

import static java.util.Objects.requireNonNull;

/**
 * How {@link OpenAiChatRequests#write} renders a request for an upstream.
 *
 * @param stream          whether to ask for a stream
 * @param alwaysStreamUsage whether a stream always asks for the usage chunk ({@code stream_options.include_usage}),
 *                        whatever the client asked; a gateway that accounts usage wants it
 * @param maxTokensField  the field that carries the output limit
 */
public record OpenAiWriteOptions(boolean stream, boolean alwaysStreamUsage, MaxTokensField maxTokensField) {

    /** Where the output limit goes. */
    public enum MaxTokensField {
        /** {@code max_completion_tokens}: OpenAI's current name, required by its reasoning models. */
        MAX_COMPLETION_TOKENS,
        /** {@code max_tokens}: what most OpenAI-compatible servers read. */
        MAX_TOKENS
    }

    public OpenAiWriteOptions {
        requireNonNull(maxTokensField, "maxTokensField is null");
    }

    /** For OpenAI itself: usage always asked for, {@code max_completion_tokens}. */
    public static OpenAiWriteOptions openAi(boolean stream) {
        return new OpenAiWriteOptions(stream, true, MaxTokensField.MAX_COMPLETION_TOKENS);
    }

    /** For OpenAI-compatible servers: usage always asked for, {@code max_tokens}. */
    public static OpenAiWriteOptions compatible(boolean stream) {
        return new OpenAiWriteOptions(stream, true, MaxTokensField.MAX_TOKENS);
    }
}
