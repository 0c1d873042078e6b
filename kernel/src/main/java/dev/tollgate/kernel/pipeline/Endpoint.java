package dev.tollgate.kernel.pipeline;

/** The API endpoints a request can arrive on. */
public enum Endpoint {
    CHAT_COMPLETIONS("/v1/chat/completions"),
    EMBEDDINGS("/v1/embeddings");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}
