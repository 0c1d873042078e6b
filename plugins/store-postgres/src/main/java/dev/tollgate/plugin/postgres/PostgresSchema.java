package dev.tollgate.plugin.postgres;

import dev.tollgate.spi.store.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables as a list of migrations: migration {@code n} (1-based) takes the database from
 * schema version {@code n - 1} to {@code n}. Only ever append to {@link #MIGRATIONS}; a shipped
 * migration never changes. The version lives in {@code tollgate_schema_version}. Every table is
 * prefixed {@code tollgate_}, so the store can share a database (or use its own schema through the
 * URL's {@code currentSchema}).
 */
final class PostgresSchema {

    /** The advisory lock that serialises migrations of gateways starting at once ("TOLLGATE" in ASCII). */
    static final long MIGRATION_LOCK = 0x544F4C4C47415445L;

    static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    """
                    CREATE TABLE tollgate_team (
                      id text PRIMARY KEY, name text NOT NULL, parent_id text,
                      rpm bigint, tpm bigint, max_parallel integer, budget_micro_usd bigint, budget_period text,
                      metadata jsonb NOT NULL, created_at timestamptz NOT NULL)""",
                    "CREATE INDEX tollgate_team_parent ON tollgate_team (parent_id)",
                    """
                    CREATE TABLE tollgate_virtual_key (
                      id text PRIMARY KEY, name text NOT NULL, team_id text, prefix text NOT NULL,
                      hash text NOT NULL UNIQUE, allowed_models text[] NOT NULL, expires_at timestamptz,
                      metadata jsonb NOT NULL, enabled boolean NOT NULL, revoked_at timestamptz,
                      rpm bigint, tpm bigint, max_parallel integer, budget_micro_usd bigint, budget_period text,
                      created_at timestamptz NOT NULL)""",
                    "CREATE INDEX tollgate_virtual_key_team ON tollgate_virtual_key (team_id)",
                    // the ledger as the embedded store keeps it (docs/decisions.md): one row per key, team level, model and
                    // 15-minute bucket (epoch second of its start). Key rows: team_id ''; team rows: key_id ''.
                    """
                    CREATE TABLE tollgate_spend_bucket (
                      key_id text NOT NULL, team_id text NOT NULL, model text NOT NULL, bucket bigint NOT NULL,
                      micro_usd bigint NOT NULL, requests bigint NOT NULL, unpriced_requests bigint NOT NULL,
                      input_tokens bigint NOT NULL, output_tokens bigint NOT NULL,
                      PRIMARY KEY (key_id, team_id, model, bucket))""",
                    // budget periods: key rows by (team_id '', key_id, bucket >=), team rows by (team_id, key_id '', bucket >=)
                    "CREATE INDEX tollgate_spend_bucket_period ON tollgate_spend_bucket (team_id, key_id, bucket)",
                    "CREATE INDEX tollgate_spend_bucket_time ON tollgate_spend_bucket (bucket)"),
            // 2: stored OpenAI Responses (docs/responses.md, "State"), shared by every gateway on this database
            List.of(
                    """
                    CREATE TABLE tollgate_response (
                      id text PRIMARY KEY, previous_id text, key_id text, team_id text, model text NOT NULL,
                      created_at timestamptz NOT NULL, expires_at timestamptz, deployment text,
                      turn bytea NOT NULL, response bytea NOT NULL)""",
                    "CREATE INDEX tollgate_response_expires ON tollgate_response (expires_at) WHERE expires_at IS NOT NULL"));

    static final int CURRENT = MIGRATIONS.size();

    private PostgresSchema() {}

    /**
     * Brings the database to {@link #CURRENT} in one transaction, holding {@link #MIGRATION_LOCK}
     * so that a second gateway starting at the same moment waits and then finds the work done.
     * Refuses a database migrated by a newer version.
     */
    static void migrate(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS tollgate_schema_version (version integer NOT NULL)");
            int version;
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM tollgate_schema_version")) {
                rs.next();
                version = rs.getInt(1);
            }
            if (version > CURRENT) {
                throw new StoreException("the database has governance schema version " + version + ", newer than this Tollgate's "
                        + CURRENT + ": use the newer Tollgate or a backup");
            }
            for (int v = version + 1; v <= CURRENT; v++) {
                for (String sql : MIGRATIONS.get(v - 1)) {
                    s.execute(sql);
                }
            }
            if (version < CURRENT) {
                s.execute("DELETE FROM tollgate_schema_version");
                s.execute("INSERT INTO tollgate_schema_version (version) VALUES (" + CURRENT + ")");
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** The schema version the database is at (0: none yet). */
    static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM tollgate_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
