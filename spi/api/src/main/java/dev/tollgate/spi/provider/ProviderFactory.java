package dev.tollgate.spi.provider;

import dev.tollgate.spi.ComponentFactory;

/** Creates a {@link ProviderAdapter} for one deployment from that deployment's {@code config}. */
public interface ProviderFactory extends ComponentFactory<ProviderAdapter> {}
