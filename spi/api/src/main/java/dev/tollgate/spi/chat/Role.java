package dev.tollgate.spi.chat;

/**
 * Who wrote a message. Tool results are {@link ContentBlock.ToolResult} blocks of a {@code USER}
 * message (as Anthropic models them); OpenAI's {@code tool} messages are translated to that.
 */
public enum Role {
    /**
     * Instructions that appear in the middle of a conversation (OpenAI allows them there); leading
     * instructions are {@link ChatRequest#system()}.
     */
    SYSTEM,
    USER,
    ASSISTANT
}
