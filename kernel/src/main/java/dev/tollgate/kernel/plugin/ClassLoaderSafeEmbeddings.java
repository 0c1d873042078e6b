package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.SupportsEmbeddings;

/** Calls a plugin's {@link SupportsEmbeddings} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeEmbeddings implements SupportsEmbeddings {

    private final SupportsEmbeddings delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeEmbeddings(SupportsEmbeddings delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public void embeddings(EmbeddingsRequest request, ProviderCall call, ResponseSink<EmbeddingsResponse> sink) {
        ContextClassLoader.run(loader, () -> delegate.embeddings(request, call, sink));
    }
}
