package dev.tollgate.plugin.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.testkit.ResponseStoreContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL store's responses pass the same contract as the embedded store's, on a real server, each test on a new database. */
class PostgresResponseStoreContractTest extends ResponseStoreContract {

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

    private static PostgresStoreConfig config(String url) {
        return new PostgresStoreConfig(url, PostgresServer.USER, PostgresServer.PASSWORD, 4, Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    @Override
    protected GovernanceStore newStore() {
        return PostgresGovernanceStore.open(config(server.newDatabase()));
    }

    @Test
    void aVersionOneDatabaseGainsTheResponseTableWhenFourGatewaysStartAtOnce() throws Exception {
        String url = server.newDatabase();
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD); Statement s = c.createStatement()) {
            for (String sql : PostgresSchema.MIGRATIONS.get(0)) {
                s.execute(sql);
            }
            s.execute("CREATE TABLE tollgate_schema_version (version integer NOT NULL)");
            s.execute("INSERT INTO tollgate_schema_version (version) VALUES (1)");
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<PostgresGovernanceStore>> opening = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            opening.add(pool.submit(() -> PostgresGovernanceStore.open(config(url))));
        }
        List<PostgresGovernanceStore> stores = new ArrayList<>();
        try {
            for (Future<PostgresGovernanceStore> f : opening) {
                stores.add(f.get(60, TimeUnit.SECONDS));
            }
            stores.get(0).responses().orElseThrow().put(full("resp_shared", null));
            assertThat(stores.get(3).responses().orElseThrow().get("resp_shared")).hasValue(full("resp_shared", null));
            try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD)) {
                assertThat(PostgresSchema.version(c)).isEqualTo(PostgresSchema.CURRENT).isEqualTo(2);
            }
        } finally {
            stores.forEach(PostgresGovernanceStore::close);
            pool.shutdownNow();
        }
    }
}
