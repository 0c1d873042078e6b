package dev.tollgate.spi.chat;

/**
 * Why a model stopped, normalised across providers. A translator that meets a reason it does not
 * know maps it to {@link #OTHER} and reports it (logged and counted), never silently.
 */
public enum StopReason {
    /** The model finished its turn (OpenAI {@code stop}, Anthropic {@code end_turn}). */
    END_TURN,
    /** The output limit was reached (OpenAI {@code length}, Anthropic {@code max_tokens}). */
    MAX_TOKENS,
    /** A client stop sequence matched (OpenAI reports it as {@code stop}). */
    STOP_SEQUENCE,
    /** The model wants tool results (OpenAI {@code tool_calls}, Anthropic {@code tool_use}). */
    TOOL_USE,
    /** Output was withheld by the provider's content filter (OpenAI {@code content_filter}). */
    CONTENT_FILTER,
    /** The model refused for policy reasons (Anthropic {@code refusal}). */
    REFUSAL,
    /** A long-running turn was paused and may be continued (Anthropic {@code pause_turn}). */
    PAUSE,
    /** Anything else. */
    OTHER
}
