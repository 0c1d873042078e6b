package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import java.util.concurrent.CompletionStage;

/** Calls a plugin's {@link SupportsEmbeddings} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeEmbeddings implements SupportsEmbeddings {

    private final SupportsEmbeddings delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeEmbeddings(SupportsEmbeddings delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public CompletionStage<ProviderResult> embeddings(EmbeddingsRequest request, ProviderCall call) {
        return ContextClassLoader.call(loader, () -> delegate.embeddings(request, call));
    }
}
