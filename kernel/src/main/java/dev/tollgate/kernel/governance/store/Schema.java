package dev.tollgate.kernel.governance.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, as a list of migrations: migration {@code n} (1-based) takes a file from
 * schema version {@code n - 1} to {@code n}. Only ever append to {@link #MIGRATIONS}; a shipped
 * migration never changes. The version lives in {@code schema_version}.
 */
final class Schema {

    static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    """
                    CREATE TABLE team (
                      id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT,
                      rpm INTEGER, tpm INTEGER, max_parallel INTEGER, budget_micro_usd INTEGER, budget_period TEXT,
                      metadata TEXT NOT NULL, created_at TEXT NOT NULL)""",
                    "CREATE INDEX team_parent ON team (parent_id)",
                    """
                    CREATE TABLE virtual_key (
                      id TEXT PRIMARY KEY, name TEXT NOT NULL, team_id TEXT, prefix TEXT NOT NULL,
                      hash TEXT NOT NULL UNIQUE, allowed_models TEXT NOT NULL, expires_at TEXT,
                      metadata TEXT NOT NULL, enabled INTEGER NOT NULL, revoked_at TEXT,
                      rpm INTEGER, tpm INTEGER, max_parallel INTEGER, budget_micro_usd INTEGER, budget_period TEXT,
                      created_at TEXT NOT NULL)""",
                    "CREATE INDEX virtual_key_team ON virtual_key (team_id)",
                    // at_nanos: epoch nanoseconds; utc_day: yyyy-MM-dd of at in UTC; micro_usd NULL: cost unknown
                    """
                    CREATE TABLE spend (
                      request_id TEXT PRIMARY KEY, at_nanos INTEGER NOT NULL, utc_day TEXT NOT NULL, key_id TEXT,
                      model TEXT NOT NULL, micro_usd INTEGER, input_tokens INTEGER NOT NULL,
                      output_tokens INTEGER NOT NULL)""",
                    "CREATE INDEX spend_key_at ON spend (key_id, at_nanos, micro_usd)",
                    "CREATE INDEX spend_at ON spend (at_nanos)",
                    // one row per team of an entry's team path, so a team's spend includes its sub-teams'
                    """
                    CREATE TABLE spend_team (
                      request_id TEXT NOT NULL, team_id TEXT NOT NULL, at_nanos INTEGER NOT NULL, micro_usd INTEGER,
                      PRIMARY KEY (request_id, team_id))""",
                    "CREATE INDEX spend_team_at ON spend_team (team_id, at_nanos, micro_usd)"),
            // 2: the ledger aggregates (docs/decisions.md, "Embedded governance store"): one row per key, team
            // level, model and 15-minute bucket; the per-request rows of version 1 are folded into it
            List.of(
                    // bucket: epoch second starting the 15-minute interval. Key rows: team_id ''
                    // (key_id '' without a key); team rows: one per level of the team path, key_id ''
                    """
                    CREATE TABLE spend_bucket (
                      key_id TEXT NOT NULL, team_id TEXT NOT NULL, model TEXT NOT NULL, bucket INTEGER NOT NULL,
                      micro_usd INTEGER NOT NULL, requests INTEGER NOT NULL, unpriced_requests INTEGER NOT NULL,
                      input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
                      PRIMARY KEY (key_id, team_id, model, bucket)) WITHOUT ROWID""",
                    """
                    INSERT INTO spend_bucket
                    SELECT COALESCE(s.key_id, ''), '', s.model, """ + bucketOf("s.at_nanos") + """
                    , SUM(COALESCE(s.micro_usd, 0)), COUNT(*),
                      SUM(s.micro_usd IS NULL), SUM(s.input_tokens), SUM(s.output_tokens)
                    FROM spend s GROUP BY 1, 2, 3, 4""",
                    """
                    INSERT INTO spend_bucket
                    SELECT '', t.team_id, s.model, """ + bucketOf("s.at_nanos") + """
                    , SUM(COALESCE(s.micro_usd, 0)), COUNT(*),
                      SUM(s.micro_usd IS NULL), SUM(s.input_tokens), SUM(s.output_tokens)
                    FROM spend_team t JOIN spend s ON s.request_id = t.request_id GROUP BY 1, 2, 3, 4""",
                    "DROP TABLE spend_team",
                    "DROP TABLE spend"),
            // 3: stored OpenAI Responses (docs/responses.md, "State"). created_at, expires_at: ISO-8601 text, exact;
            // expires_us: expires_at in epoch microseconds (floor), for the purge; NULL: kept until deleted
            List.of(
                    """
                    CREATE TABLE response (
                      id TEXT PRIMARY KEY, previous_id TEXT, key_id TEXT, team_id TEXT, model TEXT NOT NULL,
                      created_at TEXT NOT NULL, expires_at TEXT, expires_us INTEGER, deployment TEXT,
                      turn BLOB NOT NULL, response BLOB NOT NULL)""",
                    "CREATE INDEX response_expires ON response (expires_us) WHERE expires_us IS NOT NULL"));

    static final int CURRENT = MIGRATIONS.size();

    /** Seconds in a ledger bucket: every zone's midnight (offsets are whole quarter hours) starts one. */
    static final long BUCKET_SECONDS = 15 * 60;

    private Schema() {}

    /** SQL for the start of the bucket holding an epoch-nanosecond column (floor divisions, pre-1970 too). */
    private static String bucketOf(String nanos) {
        String seconds = "((" + nanos + " - ((" + nanos + " % 1000000000) + 1000000000) % 1000000000) / 1000000000)";
        return "(" + seconds + " - ((" + seconds + " % 900) + 900) % 900)";
    }

    /** Brings the file to {@link #CURRENT} in one transaction; refuses a file written by a newer version. */
    static void migrate(Connection c, String file) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            int version;
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                rs.next();
                version = rs.getInt(1);
            }
            if (version > CURRENT) {
                throw new GovernanceStoreException(file + " has governance schema version " + version
                        + ", newer than this Tollgate's " + CURRENT + ": use the newer Tollgate or a backup");
            }
            for (int v = version + 1; v <= CURRENT; v++) {
                for (String sql : MIGRATIONS.get(v - 1)) {
                    s.execute(sql);
                }
            }
            if (version < CURRENT) {
                s.execute("DELETE FROM schema_version");
                s.execute("INSERT INTO schema_version (version) VALUES (" + CURRENT + ")");
            }
        }
        c.commit();
    }
}
