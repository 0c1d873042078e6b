package dev.tollgate.spi.cache;

import dev.tollgate.spi.ComponentFactory;

/** Creates a {@link CacheBackend} from its configuration. */
public interface CacheBackendFactory extends ComponentFactory<CacheBackend> {}
