package dev.tollgate.kernel.plugin;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.StoredResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Calls a plugin's {@link ResponseStore} with the plugin's loader as context class loader. */
public final class ClassLoaderSafeResponseStore implements ResponseStore {

    private final ResponseStore delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeResponseStore(ResponseStore delegate, ClassLoader loader) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.loader = requireNonNull(loader, "loader is null");
    }

    @Override
    public void put(StoredResponse response) {
        ContextClassLoader.run(loader, () -> delegate.put(response));
    }

    @Override
    public Optional<StoredResponse> get(String id) {
        return ContextClassLoader.call(loader, () -> delegate.get(id));
    }

    @Override
    public List<StoredResponse> chain(String id, int maxDepth, long maxBytes) {
        return ContextClassLoader.call(loader, () -> delegate.chain(id, maxDepth, maxBytes));
    }

    @Override
    public boolean delete(String id) {
        return ContextClassLoader.call(loader, () -> delegate.delete(id));
    }

    @Override
    public int deleteExpired(Instant now, int limit) {
        return ContextClassLoader.call(loader, () -> delegate.deleteExpired(now, limit));
    }
}
