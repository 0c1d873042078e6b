package dev.tollgate.spi.provider;

/** The wire format of a request body as the client sent it. */
public enum ApiFormat {
    /** OpenAI chat completions: the canonical format of the gateway. */
    OPENAI_CHAT,
    /** OpenAI embeddings. */
    OPENAI_EMBEDDINGS
}
