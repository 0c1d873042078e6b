package dev.tollgate.spi.provider;

import java.util.concurrent.CompletionStage;

/** A provider adapter that serves {@code POST /v1/embeddings}. */
public interface SupportsEmbeddings {

    CompletionStage<ProviderResult> embeddings(EmbeddingsRequest request, ProviderCall call);
}
