package dev.tollgate.spi.provider;

/**
 * A provider adapter that serves {@code POST /v1/embeddings}. Same threads and errors as
 * {@link ProviderAdapter}; exactly one terminal call on {@code sink}.
 */
public interface SupportsEmbeddings {

    void embeddings(EmbeddingsRequest request, ProviderCall call, ResponseSink<EmbeddingsResponse> sink);
}
