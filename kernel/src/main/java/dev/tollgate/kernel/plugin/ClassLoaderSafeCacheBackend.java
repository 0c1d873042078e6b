package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.cache.CacheBackend;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Calls a plugin's {@link CacheBackend} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeCacheBackend implements CacheBackend {

    private final CacheBackend delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeCacheBackend(CacheBackend delegate, ClassLoader loader) {
        this.delegate = delegate;
        this.loader = loader;
    }

    @Override
    public CompletionStage<Optional<Bytes>> get(String key) {
        return ContextClassLoader.call(loader, () -> delegate.get(key));
    }

    @Override
    public CompletionStage<Void> put(String key, Bytes value, Duration ttl) {
        return ContextClassLoader.call(loader, () -> delegate.put(key, value, ttl));
    }

    @Override
    public CompletionStage<Void> remove(String key) {
        return ContextClassLoader.call(loader, () -> delegate.remove(key));
    }

    @Override
    public void close() {
        ContextClassLoader.run(loader, delegate::close);
    }
}
