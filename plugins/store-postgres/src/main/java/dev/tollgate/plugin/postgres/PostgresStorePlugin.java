package dev.tollgate.plugin.postgres;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.store.GovernanceStoreFactory;
import java.util.List;

/** Contributes the {@code postgres} governance store: keys, teams and the spend ledger shared by many gateways. */
public final class PostgresStorePlugin implements TollgatePlugin {

    public PostgresStorePlugin() {}

    @Override
    public List<GovernanceStoreFactory> governanceStores() {
        return List.of(new PostgresStoreFactory());
    }
}
