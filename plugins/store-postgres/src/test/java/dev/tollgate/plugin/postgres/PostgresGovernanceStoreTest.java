package dev.tollgate.plugin.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.StoreException;
import dev.tollgate.spi.store.Team;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store adds to the contract: its schema, its timeouts and its errors. */
class PostgresGovernanceStoreTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
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

    private static PostgresStoreConfig config(String url, String password, Duration statementTimeout) {
        return new PostgresStoreConfig(url, PostgresServer.USER, password, 2, Duration.ofSeconds(2), statementTimeout);
    }

    private static PostgresGovernanceStore open(String url) {
        return PostgresGovernanceStore.open(config(url, PostgresServer.PASSWORD, Duration.ofSeconds(10)));
    }

    private static Team team(String id) {
        return Team.builder().id(id).name(id).createdAt(T0).build();
    }

    @Test
    void instancesStartingAtOnceMigrateTheSchemaOnceAndShareIt() throws Exception {
        String url = server.newDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<PostgresGovernanceStore> stores = new ArrayList<>();
        try {
            List<Future<PostgresGovernanceStore>> opened = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                opened.add(pool.submit((Callable<PostgresGovernanceStore>) () -> open(url)));
            }
            for (Future<PostgresGovernanceStore> f : opened) {
                stores.add(f.get(60, TimeUnit.SECONDS));
            }
            stores.get(0).createTeam(team("shared"));
            for (PostgresGovernanceStore s : stores) {
                assertThat(s.team("shared")).isPresent();
            }
        } finally {
            stores.forEach(PostgresGovernanceStore::close);
            pool.shutdownNow();
        }
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(version) FROM tollgate_schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getInt(2)).isEqualTo(PostgresSchema.CURRENT);
        }
    }

    @Test
    void reopeningKeepsKeysTeamsAndSpend() {
        String url = server.newDatabase();
        try (PostgresGovernanceStore first = open(url)) {
            first.createTeam(team("t"));
            first.recordSpend(List.of(SpendEntry.builder().requestId("r").at(T0).keyId("k").teamPath(List.of("t")).model("m")
                    .microUsd(1_234L).build()));
        }
        try (PostgresGovernanceStore again = open(url)) {
            assertThat(again.team("t")).isPresent();
            assertThat(again.keySpentMicros("k", T0)).isEqualTo(1_234);
            assertThat(again.teamSpentMicros("t", null)).isEqualTo(1_234);
        }
    }

    @Test
    void aDatabaseFromANewerSchemaIsRefusedWithAClearError() throws Exception {
        String url = server.newDatabase();
        open(url).close();
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
                Statement s = c.createStatement()) {
            s.execute("UPDATE tollgate_schema_version SET version = 99");
        }
        assertThatThrownBy(() -> open(url)).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99, newer than this Tollgate's " + PostgresSchema.CURRENT);
    }

    @Test
    void aWrongPasswordFailsTheStartWithoutShowingAnyPassword() {
        String url = server.newDatabase();
        assertThatThrownBy(() -> PostgresGovernanceStore.open(config(url, "wrong-canary-pw", Duration.ofSeconds(10))))
                .isInstanceOf(StoreException.class).hasMessageContaining("cannot connect to the governance database " + url)
                .hasMessageContaining("password authentication failed").hasMessageNotContaining("wrong-canary-pw")
                .hasMessageNotContaining(PostgresServer.PASSWORD);
    }

    @Test
    void aDatabaseThatDoesNotListenFailsTheStartInsteadOfWaiting() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/tollgate";
        assertThatThrownBy(() -> open(url)).isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot connect to the governance database " + url);
    }

    @Test
    void aStatementHeldUpByTheDatabaseIsCancelledAtTheStatementTimeout() throws Exception {
        String url = server.newDatabase();
        try (PostgresGovernanceStore store = PostgresGovernanceStore.open(config(url, PostgresServer.PASSWORD, Duration.ofMillis(300)));
                Connection blocker = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD)) {
            store.createTeam(team("t"));
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE tollgate_team IN ACCESS EXCLUSIVE MODE");
            }

            assertThatThrownBy(store::teams).isInstanceOf(StoreException.class).hasMessageContaining("teams failed")
                    .hasMessageContaining("statement timeout");

            blocker.rollback();
            assertThat(store.teams()).hasSize(1);
        }
    }

    @Test
    void aClosedStoreRefusesCalls() {
        PostgresGovernanceStore store = open(server.newDatabase());
        store.close();
        assertThatThrownBy(store::teams).isInstanceOf(StoreException.class);
    }
}
