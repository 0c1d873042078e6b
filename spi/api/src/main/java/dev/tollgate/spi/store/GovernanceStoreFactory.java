package dev.tollgate.spi.store;

import dev.tollgate.spi.ComponentFactory;

/**
 * Creates a {@link GovernanceStore} from its configuration, chosen with
 * {@code governance.store.backend} (and configured by {@code governance.store.config}). The kernel
 * creates one store per gateway, at start; {@link #create} may connect, and creates or migrates the
 * store's schema before it returns (safely when several instances start at once). It fails with a
 * {@link dev.tollgate.spi.config.ConfigException} naming the field on bad configuration.
 */
public interface GovernanceStoreFactory extends ComponentFactory<GovernanceStore> {}
