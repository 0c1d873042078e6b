package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.util.Set;

/** Calls a plugin's {@link ProviderAdapter} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeProviderAdapter implements ProviderAdapter {

    private final ProviderAdapter delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeProviderAdapter(ProviderAdapter delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public Set<WireFormat> nativeFormats() {
        return ContextClassLoader.call(loader, delegate::nativeFormats);
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        ContextClassLoader.run(loader, () -> delegate.chat(request, call, sink));
    }

    @Override
    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
        ContextClassLoader.run(loader, () -> delegate.streamChat(request, call, sink));
    }

    @Override
    public void close() {
        ContextClassLoader.run(loader, delegate::close);
    }
}
