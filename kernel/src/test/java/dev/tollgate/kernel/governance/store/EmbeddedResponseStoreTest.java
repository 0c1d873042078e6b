package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.testkit.ResponseStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's responses pass the testkit's {@link ResponseStoreContract}; and a version-2 file gains the table. */
class EmbeddedResponseStoreTest extends ResponseStoreContract {

    @TempDir
    Path dir;

    @Override
    protected GovernanceStore newStore() {
        return EmbeddedGovernanceStore.open(dir);
    }

    @Test
    void aVersionTwoDataDirectoryGainsTheResponseTableAndKeepsItsData() throws Exception {
        Path old = dir.resolve("v2");
        Files.createDirectories(old);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(EmbeddedGovernanceStore.FILE_NAME));
                Statement s = c.createStatement()) {
            for (int v = 0; v < 2; v++) {
                for (String sql : Schema.MIGRATIONS.get(v)) {
                    s.execute(sql);
                }
            }
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version (version) VALUES (2)");
            s.execute("INSERT INTO team (id, name, metadata, created_at) VALUES ('t', 'T', '{}', '2026-01-01T00:00:00Z')");
        }
        try (GovernanceStore reopened = EmbeddedGovernanceStore.open(old)) {
            assertThat(reopened.team("t")).map(Team::name).hasValue("T");
            ResponseStore responses = reopened.responses().orElseThrow();
            responses.put(full("resp_after_migration", null));
            assertThat(responses.get("resp_after_migration")).hasValue(full("resp_after_migration", null));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(EmbeddedGovernanceStore.FILE_NAME));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Schema.CURRENT).isEqualTo(3);
        }
    }

    @Test
    void nanosecondInstantsRoundTripExactly() {
        Instant nanos = Instant.parse("2026-03-01T10:15:30.123456789Z");
        var r = bare("resp_n", null).toBuilder().createdAt(nanos).expiresAt(nanos.plusSeconds(1)).build();
        store.put(r);
        assertThat(store.get("resp_n")).hasValue(r);
    }
}
