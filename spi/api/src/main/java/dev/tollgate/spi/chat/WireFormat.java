package dev.tollgate.spi.chat;

/**
 * A wire format of an API a client or a provider speaks. When a request's inbound format is one of
 * an adapter's {@link dev.tollgate.spi.provider.ProviderAdapter#nativeFormats() native formats}, the
 * request and its answer pass through as bytes; otherwise they are translated through the
 * canonical model. Constants may be added in minor versions.
 */
public enum WireFormat {
    /** OpenAI Chat Completions ({@code POST /v1/chat/completions}). */
    OPENAI_CHAT,
    /** Anthropic Messages ({@code POST /v1/messages}). */
    ANTHROPIC_MESSAGES,
    /** OpenAI Responses ({@code POST /v1/responses}). */
    OPENAI_RESPONSES,
    /** OpenAI Embeddings ({@code POST /v1/embeddings}). */
    OPENAI_EMBEDDINGS
}
