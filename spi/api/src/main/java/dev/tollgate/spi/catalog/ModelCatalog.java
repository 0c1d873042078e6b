package dev.tollgate.spi.catalog;

import java.util.Collection;
import java.util.Optional;

/**
 * The kernel's model catalog: prices, context windows, output limits and capabilities, loaded
 * from {@code conf/models.yaml} with per-deployment overrides from the gateway configuration.
 * Read-only and thread-safe.
 */
public interface ModelCatalog {

    /** The entry for {@code model} (a provider's model name, for example {@code gpt-4o-mini}). */
    Optional<ModelInfo> find(String model);

    /** Every entry. */
    Collection<ModelInfo> all();
}
