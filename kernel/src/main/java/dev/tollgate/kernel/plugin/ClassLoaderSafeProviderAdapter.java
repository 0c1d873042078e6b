package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderResult;
import java.util.concurrent.CompletionStage;

/** Calls a plugin's {@link ProviderAdapter} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeProviderAdapter implements ProviderAdapter {

    private final ProviderAdapter delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeProviderAdapter(ProviderAdapter delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public CompletionStage<ProviderResult> chat(ChatRequest request, ProviderCall call) {
        return ContextClassLoader.call(loader, () -> delegate.chat(request, call));
    }

    @Override
    public void streamChat(ChatRequest request, ProviderCall call, ChunkSink sink) {
        ContextClassLoader.run(loader, () -> delegate.streamChat(request, call, sink));
    }

    @Override
    public void close() {
        ContextClassLoader.run(loader, delegate::close);
    }
}
