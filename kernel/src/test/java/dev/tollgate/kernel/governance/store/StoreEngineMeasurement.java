package dev.tollgate.kernel.governance.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Not a test: the one-off measurement behind the embedded store's engine choice (see
 * docs/decisions.md, "Embedded governance store"). It times the settle path's durable write (one
 * ledger entry per transaction, and 50 per transaction) and spend reads over ~100k rows (one key's
 * thousand, and the whole organisation's), for each engine in its crash-safe mode. Plain JDBC, so it compiles without either driver; run it
 * with both drivers on the class path:
 *
 * <pre>java -cp kernel/target/test-classes:sqlite-jdbc.jar:h2.jar \
 *     dev.tollgate.kernel.governance.store.StoreEngineMeasurement [work dir]</pre>
 */
public final class StoreEngineMeasurement {

    private static final int SINGLES = 2_000;
    private static final int BATCHES = 100;
    private static final int BATCH = 50;
    private static final int ROWS = 100_000;
    private static final int KEYS = 100;
    private static final int QUERIES = 200;

    private record Engine(String name, String url, String[] setup) {}

    private long sequence;

    public static void main(String[] args) throws Exception {
        Path dir = (args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("store-measure")).toAbsolutePath();
        Engine[] engines = {
            new Engine("sqlite WAL synchronous=NORMAL", "jdbc:sqlite:" + dir.resolve("normal.db"),
                    new String[] {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"}),
            new Engine("sqlite WAL synchronous=FULL", "jdbc:sqlite:" + dir.resolve("full.db"),
                    new String[] {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}),
            new Engine("h2 MVStore WRITE_DELAY=0", "jdbc:h2:file:" + dir.resolve("h2wd0") + ";WRITE_DELAY=0",
                    new String[0]),
            new Engine("h2 MVStore default", "jdbc:h2:file:" + dir.resolve("h2default"), new String[0]),
        };
        System.out.printf("%-32s %14s %14s %14s %14s %14s %10s%n", "engine", "1/tx mean us", "1/tx p99 us",
                "50/tx mean us", "key 1k rows us", "org 100k us", "file MB");
        for (Engine e : engines) {
            new StoreEngineMeasurement().measure(e, dir);
        }
    }

    private void measure(Engine engine, Path dir) throws SQLException, java.io.IOException {
        try (Connection c = DriverManager.getConnection(engine.url)) {
            try (Statement s = c.createStatement()) {
                for (String sql : engine.setup) {
                    s.execute(sql);
                }
                s.execute("CREATE TABLE spend (request_id VARCHAR(200) PRIMARY KEY, at_nanos BIGINT NOT NULL,"
                        + " utc_day VARCHAR(10) NOT NULL, key_id VARCHAR(200), model VARCHAR(200) NOT NULL,"
                        + " micro_usd BIGINT, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL)");
                s.execute("CREATE INDEX spend_key_at ON spend (key_id, at_nanos, micro_usd)");
                s.execute("CREATE TABLE spend_team (request_id VARCHAR(200) NOT NULL, team_id VARCHAR(200) NOT NULL,"
                        + " at_nanos BIGINT NOT NULL, micro_usd BIGINT, PRIMARY KEY (request_id, team_id))");
                s.execute("CREATE INDEX spend_team_at ON spend_team (team_id, at_nanos, micro_usd)");
            }
            c.setAutoCommit(false);
            // warm-up, and the ~100k rows the read runs over
            for (int i = 0; i < ROWS / 1_000; i++) {
                write(c, 1_000);
            }
            long[] single = new long[SINGLES];
            for (int i = 0; i < SINGLES; i++) {
                long t0 = System.nanoTime();
                write(c, 1);
                single[i] = System.nanoTime() - t0;
            }
            long batchTotal = 0;
            for (int i = 0; i < BATCHES; i++) {
                long t0 = System.nanoTime();
                write(c, BATCH);
                batchTotal += System.nanoTime() - t0;
            }
            long queryTotal = 0;
            long sink = 0;
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT COALESCE(SUM(micro_usd), 0) FROM spend WHERE key_id = ? AND at_nanos >= ?")) {
                for (int i = 0; i < QUERIES; i++) {
                    long t0 = System.nanoTime();
                    q.setString(1, "key-" + (i % KEYS));
                    q.setLong(2, 0);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        sink += rs.getLong(1);
                    }
                    c.commit();
                    queryTotal += System.nanoTime() - t0;
                }
            }
            long teamTotal = 0;
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT COALESCE(SUM(micro_usd), 0) FROM spend_team WHERE team_id = ? AND at_nanos >= ?")) {
                for (int i = 0; i < QUERIES / 10; i++) {
                    long t0 = System.nanoTime();
                    q.setString(1, "org");
                    q.setLong(2, 0);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        sink += rs.getLong(1);
                    }
                    c.commit();
                    teamTotal += System.nanoTime() - t0;
                }
            }
            Arrays.sort(single);
            System.out.printf("%-32s %14.1f %14.1f %14.1f %14.1f %14.1f %10.1f%s%n", engine.name,
                    Arrays.stream(single).average().orElse(0) / 1e3, single[(int) (SINGLES * 0.99)] / 1e3,
                    batchTotal / 1e3 / BATCHES, queryTotal / 1e3 / QUERIES, teamTotal / 1e3 / (QUERIES / 10), size(dir, engine) / 1e6,
                    sink == 0 ? " (empty sums!)" : "");
        }
    }

    /** One transaction of {@code n} entries, each with a three-level team path, skipping known ids. */
    private void write(Connection c, int n) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM spend WHERE request_id = ?");
                PreparedStatement entry = c.prepareStatement("INSERT INTO spend VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement team = c.prepareStatement("INSERT INTO spend_team VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                long id = sequence++;
                String requestId = "req-" + id;
                exists.setString(1, requestId);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        continue;
                    }
                }
                long at = 1_700_000_000_000_000_000L + id * 1_000_000L;
                entry.setString(1, requestId);
                entry.setLong(2, at);
                entry.setString(3, "2023-11-14");
                entry.setString(4, "key-" + (id % KEYS));
                entry.setString(5, "gpt-4o-mini");
                entry.setLong(6, 1_234);
                entry.setLong(7, 500);
                entry.setLong(8, 200);
                entry.executeUpdate();
                for (String t : new String[] {"sub-" + (id % 10), "team-" + (id % 3), "org"}) {
                    team.setString(1, requestId);
                    team.setString(2, t);
                    team.setLong(3, at);
                    team.setLong(4, 1_234);
                    team.addBatch();
                }
                team.executeBatch();
            }
            c.commit();
        }
    }

    private static long size(Path dir, Engine engine) throws java.io.IOException {
        String stem = engine.url.replaceFirst("^jdbc:(sqlite:|h2:file:)", "").replaceFirst(";.*", "");
        String base = Path.of(stem).getFileName().toString();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(base))
                    .sorted(Comparator.naturalOrder())
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
