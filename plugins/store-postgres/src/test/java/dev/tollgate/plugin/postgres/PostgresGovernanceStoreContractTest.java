package dev.tollgate.plugin.postgres;

import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.testkit.GovernanceStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The PostgreSQL store passes the same contract as the embedded one, on a real server, each test on a new database. */
class PostgresGovernanceStoreContractTest extends GovernanceStoreContract {

    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected GovernanceStore newStore() {
        return PostgresGovernanceStore.open(new PostgresStoreConfig(server.newDatabase(), PostgresServer.USER, PostgresServer.PASSWORD,
                4, Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }
}
