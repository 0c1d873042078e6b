package dev.tollgate.plugin.postgres;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.GovernanceStoreFactory;
import java.util.Set;

/** Binds the {@code postgres} configuration, connects and migrates the schema; fails at start when the database cannot be reached. */
final class PostgresStoreFactory implements GovernanceStoreFactory {

    static final String NAME = "postgres";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> secretKeys() {
        return Set.of(PostgresStoreConfig.PASSWORD);
    }

    @Override
    public GovernanceStore create(PluginConfig config, PluginContext context) {
        return PostgresGovernanceStore.open(PostgresStoreConfig.from(config));
    }
}
