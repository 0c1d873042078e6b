package dev.tollgate.kernel.governance.store;

import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.StoredResponse;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default {@link GovernanceStore}: one SQLite file, {@value #FILE_NAME}, in the data directory
 * (with its {@code -wal} and {@code -shm} companions while open), in WAL mode. See
 * docs/decisions.md, "Embedded governance store", for why SQLite and these modes.
 *
 * <p>Thread-safe. All writes go through one connection under a lock (SQLite has one writer at a
 * time anyway), so a check-then-insert is atomic; reads use a small pool of their own connections
 * and, in WAL mode, neither wait for the writer nor hold it up. Every method blocks: call it from a
 * worker or virtual thread.
 */
public final class EmbeddedGovernanceStore implements GovernanceStore {

    /** The database file's name inside the data directory. */
    public static final String FILE_NAME = "governance.db";

    private static final int READERS = 4;
    private static final long WAIT_SECONDS = 30;
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;
    /** The ledger's key id of an entry without a key, and the team id of a key's own row. */
    private static final String NONE = "";

    private final String file;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Connection> readers;
    private final List<Connection> all = new ArrayList<>();
    private volatile boolean closed;

    private EmbeddedGovernanceStore(String file, Durability durability) throws SQLException {
        this.file = file;
        this.readers = new ArrayBlockingQueue<>(READERS);
        try {
            this.writer = connect(durability);
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
            }
            writer.setAutoCommit(false);
            Schema.migrate(writer, file);
            for (int i = 0; i < READERS; i++) {
                Connection reader = connect(durability);
                try (Statement st = reader.createStatement()) {
                    st.execute("PRAGMA query_only = true");
                }
                readers.add(reader);
            }
        } catch (SQLException | RuntimeException e) {
            closeAll();
            throw e;
        }
    }

    /** Opens (creating if needed) {@code dataDir/governance.db}, surviving a process crash ({@link Durability#PROCESS_CRASH}). */
    public static EmbeddedGovernanceStore open(Path dataDir) {
        return open(dataDir, Durability.PROCESS_CRASH);
    }

    /** Opens (creating if needed) {@code dataDir/governance.db} and brings its schema up to date. */
    public static EmbeddedGovernanceStore open(Path dataDir, Durability durability) {
        Objects.requireNonNull(dataDir, "dataDir is null");
        Objects.requireNonNull(durability, "durability is null");
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new GovernanceStoreException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        try {
            return new EmbeddedGovernanceStore(file.toString(), durability);
        } catch (SQLException e) {
            throw new GovernanceStoreException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private Connection connect(Durability durability) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        all.add(c);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
            s.execute("PRAGMA synchronous = " + durability.synchronous);
        }
        return c;
    }

    // ---- teams

    @Override
    public void createTeam(Team team) {
        Objects.requireNonNull(team, "team is null");
        write("createTeam", c -> {
            if (exists(c, "SELECT 1 FROM team WHERE id = ?", team.id())) {
                throw new IllegalArgumentException("team already exists: " + team.id());
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO team (name, parent_id, rpm, tpm, max_parallel,"
                    + " budget_micro_usd, budget_period, metadata, created_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                Rows.bindTeam(p, team);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<Team> team(String id) {
        Objects.requireNonNull(id, "id is null");
        return read("team", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT * FROM team WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(Rows.team(rs)) : Optional.<Team>empty();
                }
            }
        });
    }

    @Override
    public List<Team> teams() {
        return read("teams", c -> {
            List<Team> teams = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM team ORDER BY id")) {
                while (rs.next()) {
                    teams.add(Rows.team(rs));
                }
            }
            return teams;
        });
    }

    @Override
    public boolean updateTeam(Team team) {
        Objects.requireNonNull(team, "team is null");
        return write("updateTeam", c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE team SET name = ?, parent_id = ?, rpm = ?, tpm = ?,"
                    + " max_parallel = ?, budget_micro_usd = ?, budget_period = ?, metadata = ?, created_at = ? WHERE id = ?")) {
                Rows.bindTeam(p, team);
                return p.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean deleteTeam(String id) {
        Objects.requireNonNull(id, "id is null");
        return write("deleteTeam", c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM team WHERE id = ?")) {
                p.setString(1, id);
                return p.executeUpdate() == 1;
            }
        });
    }

    // ---- keys

    @Override
    public void createKey(VirtualKey key) {
        Objects.requireNonNull(key, "key is null");
        write("createKey", c -> {
            if (exists(c, "SELECT 1 FROM virtual_key WHERE id = ?", key.id())) {
                throw new IllegalArgumentException("key already exists: " + key.id());
            }
            if (exists(c, "SELECT 1 FROM virtual_key WHERE hash = ?", key.hash())) {
                throw new IllegalArgumentException("another key already has this hash (key " + key.id() + ")");
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO virtual_key (name, team_id, allowed_models,"
                    + " expires_at, metadata, enabled, revoked_at, rpm, tpm, max_parallel, budget_micro_usd, budget_period,"
                    + " created_at, id, prefix, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int next = Rows.bindKey(p, key);
                p.setString(next, key.prefix());
                p.setString(next + 1, key.hash());
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<VirtualKey> key(String id) {
        Objects.requireNonNull(id, "id is null");
        return oneKey("key", "SELECT * FROM virtual_key WHERE id = ?", id);
    }

    @Override
    public Optional<VirtualKey> keyByHash(String hash) {
        Objects.requireNonNull(hash, "hash is null");
        return oneKey("keyByHash", "SELECT * FROM virtual_key WHERE hash = ?", hash);
    }

    private Optional<VirtualKey> oneKey(String operation, String sql, String value) {
        return read(operation, c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, value);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(Rows.key(rs)) : Optional.<VirtualKey>empty();
                }
            }
        });
    }

    @Override
    public List<VirtualKey> keys() {
        return read("keys", c -> {
            List<VirtualKey> keys = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM virtual_key ORDER BY id")) {
                while (rs.next()) {
                    keys.add(Rows.key(rs));
                }
            }
            return keys;
        });
    }

    /** Replaces every field of the key but its hash and prefix, which keep their stored values. */
    @Override
    public boolean updateKey(VirtualKey key) {
        Objects.requireNonNull(key, "key is null");
        return write("updateKey", c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE virtual_key SET name = ?, team_id = ?,"
                    + " allowed_models = ?, expires_at = ?, metadata = ?, enabled = ?, revoked_at = ?, rpm = ?, tpm = ?,"
                    + " max_parallel = ?, budget_micro_usd = ?, budget_period = ?, created_at = ? WHERE id = ?")) {
                Rows.bindKey(p, key);
                return p.executeUpdate() == 1;
            }
        });
    }

    // ---- spend

    /**
     * Adds the entries to the ledger's buckets in one transaction: the batch is first summed in
     * memory, so each distinct (key, team level, model, 15-minute bucket) is one upsert however many
     * entries share it. An entry recorded twice counts twice (settlement records each request once).
     * A negative cost or token count, an empty key or team id, or an instant outside the years 1678
     * to 2261 is refused before anything is written.
     */
    @Override
    public void recordSpend(List<SpendEntry> entries) {
        Objects.requireNonNull(entries, "entries is null");
        if (entries.isEmpty()) {
            return;
        }
        for (SpendEntry e : entries) {
            validate(e);
        }
        Map<BucketKey, BucketSums> buckets = aggregate(entries);
        write("recordSpend", c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO spend_bucket (key_id, team_id, model, bucket,"
                    + " micro_usd, requests, unpriced_requests, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (key_id, team_id, model, bucket) DO UPDATE SET"
                    + " micro_usd = micro_usd + excluded.micro_usd, requests = requests + excluded.requests,"
                    + " unpriced_requests = unpriced_requests + excluded.unpriced_requests,"
                    + " input_tokens = input_tokens + excluded.input_tokens,"
                    + " output_tokens = output_tokens + excluded.output_tokens")) {
                for (Map.Entry<BucketKey, BucketSums> b : buckets.entrySet()) {
                    BucketKey k = b.getKey();
                    BucketSums v = b.getValue();
                    p.setString(1, k.keyId());
                    p.setString(2, k.teamId());
                    p.setString(3, k.model());
                    p.setLong(4, k.bucket());
                    p.setLong(5, v.microUsd);
                    p.setLong(6, v.requests);
                    p.setLong(7, v.unpricedRequests);
                    p.setLong(8, v.inputTokens);
                    p.setLong(9, v.outputTokens);
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    /** One row of {@code spend_bucket}: a key row has team id {@code ""}, a team row key id {@code ""}. */
    private record BucketKey(String keyId, String teamId, String model, long bucket) {}

    private static final class BucketSums {
        long microUsd;
        long requests;
        long unpricedRequests;
        long inputTokens;
        long outputTokens;

        void add(SpendEntry e) {
            if (e.microUsd() == null) {
                unpricedRequests++;
            } else {
                microUsd = Math.addExact(microUsd, e.microUsd());
            }
            requests++;
            inputTokens = Math.addExact(inputTokens, e.inputTokens());
            outputTokens = Math.addExact(outputTokens, e.outputTokens());
        }
    }

    /** The batch's sums per bucket row: the key row and one row per level of the team path. */
    private static Map<BucketKey, BucketSums> aggregate(List<SpendEntry> entries) {
        Map<BucketKey, BucketSums> buckets = new HashMap<>();
        for (SpendEntry e : entries) {
            long bucket = bucketStart(e.at());
            String keyId = e.keyId() == null ? NONE : e.keyId();
            buckets.computeIfAbsent(new BucketKey(keyId, NONE, e.model(), bucket), k -> new BucketSums()).add(e);
            for (String teamId : e.teamPath()) {
                buckets.computeIfAbsent(new BucketKey(NONE, teamId, e.model(), bucket), k -> new BucketSums()).add(e);
            }
        }
        return buckets;
    }

    /** The epoch second starting the 15-minute bucket that holds {@code at}. */
    static long bucketStart(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), Schema.BUCKET_SECONDS) * Schema.BUCKET_SECONDS;
    }

    private static void validate(SpendEntry e) {
        Objects.requireNonNull(e, "a spend entry is null");
        if (e.microUsd() != null && e.microUsd() < 0) {
            throw new IllegalArgumentException("negative cost " + e.microUsd() + " for request " + e.requestId());
        }
        if (e.inputTokens() < 0 || e.outputTokens() < 0) {
            throw new IllegalArgumentException("negative token count for request " + e.requestId());
        }
        if (NONE.equals(e.keyId())) {
            throw new IllegalArgumentException("empty key id for request " + e.requestId() + " (null means no key)");
        }
        Rows.requireLedgerRange(e.at());
        for (String teamId : e.teamPath()) {
            Objects.requireNonNull(teamId, "a team id in the team path of request " + e.requestId() + " is null");
            if (teamId.isEmpty()) {
                throw new IllegalArgumentException("an empty team id in the team path of request " + e.requestId());
            }
        }
    }

    /**
     * Groups ordered by group; KEY leaves out entries without a key, TEAM those without a team.
     * Resolution is the 15-minute bucket: a bucket counts when its start is in [from, to), so a
     * bound inside a bucket moves to the next bucket start; DAY is the UTC day of the bucket start.
     */
    @Override
    public List<SpendQuery.Row> spend(SpendQuery query) {
        Objects.requireNonNull(query, "query is null");
        String group = switch (query.groupBy()) {
            case KEY -> "key_id";
            case TEAM -> "team_id";
            case MODEL -> "model";
            case DAY -> "date(bucket, 'unixepoch')";
        };
        String rows = switch (query.groupBy()) {
            case KEY -> "team_id = '' AND key_id <> ''";
            case TEAM -> "team_id <> ''";
            case MODEL, DAY -> "team_id = ''";
        };
        String sql = "SELECT " + group + " AS grp, SUM(micro_usd), SUM(requests), SUM(unpriced_requests),"
                + " SUM(input_tokens), SUM(output_tokens) FROM spend_bucket"
                + " WHERE " + rows + " AND bucket >= ? AND bucket < ? GROUP BY grp ORDER BY grp";
        long from = Rows.firstSecondFrom(query.from());
        long to = Rows.firstSecondFrom(query.to(), Long.MAX_VALUE);
        return read("spend", c -> {
            List<SpendQuery.Row> result = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setLong(1, from);
                p.setLong(2, to);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        result.add(SpendQuery.Row.builder(rs.getString(1)).microUsd(rs.getLong(2)).requests(rs.getLong(3))
                                .unpricedRequests(rs.getLong(4))
                                .inputTokens(rs.getLong(5)).outputTokens(rs.getLong(6)).build());
                    }
                }
            }
            return result;
        });
    }

    /**
     * The buckets starting at or after {@code from} ({@code null}: since the beginning). Exact for
     * a budget period, whose start is a local midnight and so a bucket start; an instant inside a
     * bucket leaves that bucket out.
     */
    @Override
    public long keySpentMicros(String keyId, Instant from) {
        Objects.requireNonNull(keyId, "keyId is null");
        return sum("keySpentMicros", "SELECT SUM(micro_usd) FROM spend_bucket WHERE key_id = ? AND team_id = ''"
                + " AND bucket >= ?", keyId, from);
    }

    /** As {@link #keySpentMicros}, for a team and its sub-teams. */
    @Override
    public long teamSpentMicros(String teamId, Instant from) {
        Objects.requireNonNull(teamId, "teamId is null");
        return sum("teamSpentMicros", "SELECT SUM(micro_usd) FROM spend_bucket WHERE key_id = '' AND team_id = ?"
                + " AND bucket >= ?", teamId, from);
    }

    private long sum(String operation, String sql, String id, Instant from) {
        if (id.isEmpty()) {
            return 0; // '' marks "no key" and the key rows, never a key or team of its own
        }
        long fromSecond = Rows.firstSecondFrom(from);
        return read(operation, c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, id);
                p.setLong(2, fromSecond);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    // ---- stored responses

    private final ResponseStore responses = new Responses();

    @Override
    public Optional<ResponseStore> responses() {
        return Optional.of(responses);
    }

    /** The {@code response} table; the chain is one recursive query. */
    private final class Responses implements ResponseStore {

        @Override
        public void put(StoredResponse response) {
            Objects.requireNonNull(response, "response is null");
            write("putResponse", c -> {
                if (exists(c, "SELECT 1 FROM response WHERE id = ?", response.id())) {
                    throw new IllegalArgumentException("response already exists: " + response.id());
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO response (" + ResponseRows.COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ResponseRows.bind(p, response);
                    p.executeUpdate();
                }
                return null;
            });
        }

        @Override
        public Optional<StoredResponse> get(String id) {
            Objects.requireNonNull(id, "id is null");
            return read("getResponse", c -> {
                try (PreparedStatement p = c.prepareStatement("SELECT " + ResponseRows.COLUMNS + " FROM response WHERE id = ?")) {
                    p.setString(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        return rs.next() ? Optional.of(ResponseRows.read(rs)) : Optional.<StoredResponse>empty();
                    }
                }
            });
        }

        @Override
        public List<StoredResponse> chain(String id, int maxDepth, long maxBytes) {
            Objects.requireNonNull(id, "id is null");
            if (maxDepth < 1) {
                return List.of();
            }
            return read("responseChain", c -> {
                // the walk carries ids and sizes only; the rows are read once the budget has cut the chain
                try (PreparedStatement p = c.prepareStatement("WITH RECURSIVE chain (id, previous_id, depth, total) AS ("
                        + " SELECT id, previous_id, 1, length(turn) + length(response) FROM response WHERE id = ?"
                        + " UNION ALL SELECT r.id, r.previous_id, c.depth + 1, c.total + length(r.turn) + length(r.response)"
                        + " FROM response r JOIN chain c ON r.id = c.previous_id WHERE c.depth < ? AND c.total <= ?)"
                        + " SELECT " + ResponseRows.COLUMNS.replaceAll("(^|, )", "$1r.") + " FROM chain JOIN response r ON r.id = chain.id"
                        + " ORDER BY chain.depth")) {
                    p.setString(1, id);
                    p.setInt(2, maxDepth);
                    p.setLong(3, maxBytes);
                    List<StoredResponse> out = new ArrayList<>();
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(ResponseRows.read(rs));
                        }
                    }
                    return out;
                }
            });
        }

        @Override
        public boolean delete(String id) {
            Objects.requireNonNull(id, "id is null");
            return write("deleteResponse", c -> {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM response WHERE id = ?")) {
                    p.setString(1, id);
                    return p.executeUpdate() == 1;
                }
            });
        }

        @Override
        public int deleteExpired(Instant now, int limit) {
            Objects.requireNonNull(now, "now is null");
            if (limit < 1) {
                return 0;
            }
            return write("deleteExpiredResponses", c -> {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM response WHERE id IN (SELECT id FROM response"
                        + " WHERE expires_us IS NOT NULL AND expires_us <= ? LIMIT ?)")) {
                    p.setLong(1, ResponseRows.micros(now));
                    p.setInt(2, limit);
                    return p.executeUpdate();
                }
            });
        }
    }

    // ---- plumbing

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            writeLock.unlock();
        }
        // wait (bounded) for the readers in use to come back, so none is closed under a running query
        for (int i = 0; i < READERS; i++) {
            try {
                if (readers.poll(WAIT_SECONDS, TimeUnit.SECONDS) == null) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        writeLock.lock();
        try {
            closeAll();
        } finally {
            writeLock.unlock();
        }
    }

    private void closeAll() {
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing: nothing left to do with it
            }
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T write(String operation, Work<T> work) {
        writeLock.lock();
        try {
            ensureOpen();
            try {
                T result = work.run(writer);
                writer.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback();
                if (e instanceof RuntimeException r) {
                    throw r;
                }
                throw failure(operation, (SQLException) e);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void rollback() {
        try {
            writer.rollback();
        } catch (SQLException ignored) {
            // the transaction is gone either way; the original failure is the one to report
        }
    }

    private <T> T read(String operation, Work<T> work) {
        Connection c = borrowReader(operation);
        try {
            ensureOpen();
            return work.run(c);
        } catch (SQLException e) {
            throw failure(operation, e);
        } finally {
            readers.add(c);
        }
    }

    /** Waits for a free reader, in slices so that a store closed meanwhile fails at once. */
    private Connection borrowReader(String operation) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        try {
            while (true) {
                ensureOpen();
                Connection c = readers.poll(100, TimeUnit.MILLISECONDS);
                if (c != null) {
                    return c;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new GovernanceStoreException(operation + ": no free read connection after " + WAIT_SECONDS + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GovernanceStoreException(operation + " interrupted while waiting for a connection");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the governance store is closed");
        }
    }

    private GovernanceStoreException failure(String operation, SQLException e) {
        return new GovernanceStoreException(operation + " failed on " + file + ": " + e.getMessage(), e);
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, value);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }
}
