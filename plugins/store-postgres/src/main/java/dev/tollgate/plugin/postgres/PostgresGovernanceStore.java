package dev.tollgate.plugin.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.StoredResponse;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.StoreException;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link GovernanceStore} on PostgreSQL, for gateways on several machines: keys and teams in
 * tables, the spend ledger aggregated into 15-minute buckets exactly like the embedded store (so
 * both answer spend queries the same way, and a budget period, which starts on a bucket boundary,
 * sums exactly).
 *
 * <p>Thread-safe; every method blocks on a bounded HikariCP pool. No wait is unbounded: a free
 * connection is waited for at most {@code connect_timeout}, a statement runs at most
 * {@code statement_timeout} on the server, and the socket gives up a little after both, so a
 * database that hangs fails callers with a {@link StoreException} instead of piling threads up.
 * Instants are kept to the microsecond (PostgreSQL's {@code timestamptz}).
 */
final class PostgresGovernanceStore implements GovernanceStore {

    /** Seconds in a ledger bucket: every zone's midnight (offsets are whole quarter hours) starts one. */
    static final long BUCKET_SECONDS = 15 * 60;
    /** The ledger's key id of an entry without a key, and the team id of a key's own row. */
    private static final String NONE = "";

    private static final String TEAM_COLUMNS = "id, name, parent_id, rpm, tpm, max_parallel, budget_micro_usd, budget_period,"
            + " created_at, " + metadataArrays("metadata");
    private static final String KEY_COLUMNS = "id, name, team_id, prefix, hash, allowed_models, expires_at, enabled, revoked_at,"
            + " rpm, tpm, max_parallel, budget_micro_usd, budget_period, created_at, " + metadataArrays("metadata");

    private final HikariDataSource pool;
    private final String where;

    private PostgresGovernanceStore(HikariDataSource pool, String where) {
        this.pool = pool;
        this.where = where;
    }

    /** Connects, creating or migrating the schema; fails with a {@link StoreException} when the database cannot be used. */
    static PostgresGovernanceStore open(PostgresStoreConfig config) {
        String where = withoutParameters(config.url());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari(config));
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the governance database " + where + " as " + config.user() + ": "
                    + rootMessage(e), e);
        }
        try (Connection c = pool.getConnection()) {
            PostgresSchema.migrate(c);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e instanceof StoreException s ? s
                    : new StoreException("cannot create or migrate the governance schema in " + where + ": " + rootMessage(e), e);
        }
        return new PostgresGovernanceStore(pool, where);
    }

    private static HikariConfig hikari(PostgresStoreConfig config) {
        HikariConfig h = new HikariConfig();
        h.setPoolName("tollgate-governance");
        h.setDriverClassName("org.postgresql.Driver");
        h.setJdbcUrl(config.url());
        h.setUsername(config.user());
        if (config.password() != null) {
            h.setPassword(config.password());
        }
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(Math.min(2, config.poolSize()));
        long connectMillis = config.connectTimeout().toMillis();
        h.setConnectionTimeout(connectMillis);
        h.setValidationTimeout(Math.min(connectMillis, 5_000));
        h.setInitializationFailTimeout(connectMillis);
        // pgjdbc's timeouts are whole seconds, and 0 would mean none
        int connectSeconds = wholeSeconds(config.connectTimeout());
        h.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds));
        h.addDataSourceProperty("loginTimeout", String.valueOf(connectSeconds));
        // the server cancels a statement after statement_timeout; the socket backs that up when the server itself hangs
        h.addDataSourceProperty("socketTimeout", String.valueOf(wholeSeconds(config.statementTimeout().plus(config.connectTimeout())) + 1));
        h.addDataSourceProperty("options", "-c statement_timeout=" + config.statementTimeout().toMillis());
        h.addDataSourceProperty("tcpKeepAlive", "true");
        h.addDataSourceProperty("ApplicationName", "tollgate");
        h.addDataSourceProperty("reWriteBatchedInserts", "true");
        return h;
    }

    private static int wholeSeconds(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (d.toMillis() + 999) / 1000));
    }

    private static String withoutParameters(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** Two sorted arrays of a jsonb object's keys and values: the store reads metadata without a JSON library. */
    private static String metadataArrays(String column) {
        return "ARRAY(SELECT k FROM jsonb_object_keys(" + column + ") k ORDER BY k) AS meta_keys,"
                + " ARRAY(SELECT " + column + " ->> k FROM jsonb_object_keys(" + column + ") k ORDER BY k) AS meta_values";
    }

    // ---- teams

    @Override
    public void createTeam(Team team) {
        Objects.requireNonNull(team, "team is null");
        write("createTeam", c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO tollgate_team (name, parent_id, rpm, tpm, max_parallel,"
                    + " budget_micro_usd, budget_period, metadata, created_at, id)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, jsonb_object(?::text[], ?::text[]), ?, ?) ON CONFLICT (id) DO NOTHING")) {
                bindTeam(c, p, team);
                if (p.executeUpdate() == 0) {
                    throw new IllegalArgumentException("team already exists: " + team.id());
                }
            }
            return null;
        });
    }

    @Override
    public Optional<Team> team(String id) {
        Objects.requireNonNull(id, "id is null");
        return read("team", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + TEAM_COLUMNS + " FROM tollgate_team WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(team(rs)) : Optional.<Team>empty();
                }
            }
        });
    }

    @Override
    public List<Team> teams() {
        return read("teams", c -> {
            List<Team> teams = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT " + TEAM_COLUMNS + " FROM tollgate_team ORDER BY id COLLATE \"C\"");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    teams.add(team(rs));
                }
            }
            return teams;
        });
    }

    @Override
    public boolean updateTeam(Team team) {
        Objects.requireNonNull(team, "team is null");
        return write("updateTeam", c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE tollgate_team SET name = ?, parent_id = ?, rpm = ?, tpm = ?,"
                    + " max_parallel = ?, budget_micro_usd = ?, budget_period = ?, metadata = jsonb_object(?::text[], ?::text[]),"
                    + " created_at = ? WHERE id = ?")) {
                bindTeam(c, p, team);
                return p.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean deleteTeam(String id) {
        Objects.requireNonNull(id, "id is null");
        return write("deleteTeam", c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM tollgate_team WHERE id = ?")) {
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
            try (PreparedStatement p = c.prepareStatement("INSERT INTO tollgate_virtual_key (name, team_id, allowed_models,"
                    + " expires_at, metadata, enabled, revoked_at, rpm, tpm, max_parallel, budget_micro_usd, budget_period,"
                    + " created_at, id, prefix, hash) VALUES (?, ?, ?, ?, jsonb_object(?::text[], ?::text[]), ?, ?, ?, ?, ?, ?, ?,"
                    + " ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                int next = bindKey(c, p, key);
                p.setString(next, key.prefix());
                p.setString(next + 1, key.hash());
                if (p.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM tollgate_virtual_key WHERE id = ?")) {
                p.setString(1, key.id());
                try (ResultSet rs = p.executeQuery()) {
                    throw new IllegalArgumentException(rs.next() ? "key already exists: " + key.id()
                            : "another key already has this hash (key " + key.id() + ")");
                }
            }
        });
    }

    @Override
    public Optional<VirtualKey> key(String id) {
        Objects.requireNonNull(id, "id is null");
        return oneKey("key", "id", id);
    }

    @Override
    public Optional<VirtualKey> keyByHash(String hash) {
        Objects.requireNonNull(hash, "hash is null");
        return oneKey("keyByHash", "hash", hash);
    }

    private Optional<VirtualKey> oneKey(String operation, String column, String value) {
        return read(operation, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM tollgate_virtual_key WHERE " + column
                    + " = ?")) {
                p.setString(1, value);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(key(rs)) : Optional.<VirtualKey>empty();
                }
            }
        });
    }

    @Override
    public List<VirtualKey> keys() {
        return read("keys", c -> {
            List<VirtualKey> keys = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM tollgate_virtual_key ORDER BY id COLLATE \"C\"");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    keys.add(key(rs));
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
            try (PreparedStatement p = c.prepareStatement("UPDATE tollgate_virtual_key SET name = ?, team_id = ?,"
                    + " allowed_models = ?, expires_at = ?, metadata = jsonb_object(?::text[], ?::text[]), enabled = ?, revoked_at = ?,"
                    + " rpm = ?, tpm = ?, max_parallel = ?, budget_micro_usd = ?, budget_period = ?, created_at = ? WHERE id = ?")) {
                bindKey(c, p, key);
                return p.executeUpdate() == 1;
            }
        });
    }

    // ---- spend

    /**
     * Adds the entries to the ledger's buckets in one transaction: the batch is summed in memory
     * first, so each distinct (key, team level, model, bucket) is one upsert, and the upserts go in
     * one sorted order, so that instances writing the same rows at once never deadlock.
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
            try (PreparedStatement p = c.prepareStatement("INSERT INTO tollgate_spend_bucket AS b (key_id, team_id, model, bucket,"
                    + " micro_usd, requests, unpriced_requests, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (key_id, team_id, model, bucket) DO UPDATE SET"
                    + " micro_usd = b.micro_usd + EXCLUDED.micro_usd, requests = b.requests + EXCLUDED.requests,"
                    + " unpriced_requests = b.unpriced_requests + EXCLUDED.unpriced_requests,"
                    + " input_tokens = b.input_tokens + EXCLUDED.input_tokens,"
                    + " output_tokens = b.output_tokens + EXCLUDED.output_tokens")) {
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

    /** One row of the ledger: a key row has team id {@code ""}, a team row key id {@code ""}. */
    private record BucketKey(String keyId, String teamId, String model, long bucket) {
        static final Comparator<BucketKey> ORDER = Comparator.comparing(BucketKey::keyId).thenComparing(BucketKey::teamId)
                .thenComparing(BucketKey::model).thenComparingLong(BucketKey::bucket);
    }

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

    private static Map<BucketKey, BucketSums> aggregate(List<SpendEntry> entries) {
        Map<BucketKey, BucketSums> buckets = new TreeMap<>(BucketKey.ORDER);
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
        return Math.floorDiv(at.getEpochSecond(), BUCKET_SECONDS) * BUCKET_SECONDS;
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
        for (String teamId : e.teamPath()) {
            Objects.requireNonNull(teamId, "a team id in the team path of request " + e.requestId() + " is null");
            if (teamId.isEmpty()) {
                throw new IllegalArgumentException("an empty team id in the team path of request " + e.requestId());
            }
        }
    }

    /**
     * Groups ordered by group (byte order); as the embedded store, the resolution is the 15-minute
     * bucket: a bucket counts when its start is in [from, to); DAY is the UTC day of the bucket start.
     */
    @Override
    public List<SpendQuery.Row> spend(SpendQuery query) {
        Objects.requireNonNull(query, "query is null");
        String group = switch (query.groupBy()) {
            case KEY -> "key_id";
            case TEAM -> "team_id";
            case MODEL -> "model";
            case DAY -> "to_char(to_timestamp(bucket) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
        };
        String rows = switch (query.groupBy()) {
            case KEY -> "team_id = '' AND key_id <> ''";
            case TEAM -> "team_id <> ''";
            case MODEL, DAY -> "team_id = ''";
        };
        String sql = "SELECT " + group + " AS grp, SUM(micro_usd), SUM(requests), SUM(unpriced_requests),"
                + " SUM(input_tokens), SUM(output_tokens) FROM tollgate_spend_bucket"
                + " WHERE " + rows + " AND bucket >= ? AND bucket < ? GROUP BY grp ORDER BY " + group + " COLLATE \"C\"";
        long from = firstSecondFrom(query.from(), Long.MIN_VALUE);
        long to = firstSecondFrom(query.to(), Long.MAX_VALUE);
        return read("spend", c -> {
            List<SpendQuery.Row> result = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setLong(1, from);
                p.setLong(2, to);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        result.add(SpendQuery.Row.builder(rs.getString(1)).microUsd(rs.getLong(2)).requests(rs.getLong(3))
                                .unpricedRequests(rs.getLong(4)).inputTokens(rs.getLong(5)).outputTokens(rs.getLong(6)).build());
                    }
                }
            }
            return result;
        });
    }

    /** The buckets starting at or after {@code from}: exact for a budget period, whose start is a bucket start. */
    @Override
    public long keySpentMicros(String keyId, Instant from) {
        Objects.requireNonNull(keyId, "keyId is null");
        return sum("keySpentMicros", "SELECT COALESCE(SUM(micro_usd), 0) FROM tollgate_spend_bucket"
                + " WHERE team_id = '' AND key_id = ? AND bucket >= ?", keyId, from);
    }

    @Override
    public long teamSpentMicros(String teamId, Instant from) {
        Objects.requireNonNull(teamId, "teamId is null");
        return sum("teamSpentMicros", "SELECT COALESCE(SUM(micro_usd), 0) FROM tollgate_spend_bucket"
                + " WHERE team_id = ? AND key_id = '' AND bucket >= ?", teamId, from);
    }

    private long sum(String operation, String sql, String id, Instant from) {
        if (id.isEmpty()) {
            return 0; // '' marks "no key" and the key rows, never a key or team of its own
        }
        long fromSecond = firstSecondFrom(from, Long.MIN_VALUE);
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

    /** The first whole epoch second at or after {@code at}; {@code null}: {@code ifNull}. */
    private static long firstSecondFrom(Instant at, long ifNull) {
        if (at == null) {
            return ifNull;
        }
        return at.getNano() == 0 ? at.getEpochSecond() : at.getEpochSecond() + 1;
    }

    // ---- rows

    /** Binds name .. created_at, then id. */
    private static void bindTeam(Connection c, PreparedStatement p, Team t) throws SQLException {
        p.setString(1, t.name());
        p.setString(2, t.parentId());
        int next = bindLimits(p, 3, t.limits());
        next = bindMetadata(c, p, next, t.metadata());
        setInstant(p, next, t.createdAt());
        p.setString(next + 1, t.id());
    }

    private static Team team(ResultSet rs) throws SQLException {
        return Team.builder().id(rs.getString("id")).name(rs.getString("name")).parentId(rs.getString("parent_id"))
                .limits(limits(rs)).metadata(metadata(rs)).createdAt(instant(rs, "created_at")).build();
    }

    /** Binds name .. created_at, then id; returns the next free parameter index. */
    private static int bindKey(Connection c, PreparedStatement p, VirtualKey k) throws SQLException {
        p.setString(1, k.name());
        p.setString(2, k.teamId());
        p.setArray(3, c.createArrayOf("text", k.allowedModels().stream().sorted().toArray()));
        setInstant(p, 4, k.expiresAt());
        int next = bindMetadata(c, p, 5, k.metadata());
        p.setBoolean(next, k.enabled());
        setInstant(p, next + 1, k.revokedAt());
        next = bindLimits(p, next + 2, k.limits());
        setInstant(p, next, k.createdAt());
        p.setString(next + 1, k.id());
        return next + 2;
    }

    private static VirtualKey key(ResultSet rs) throws SQLException {
        return VirtualKey.builder().id(rs.getString("id")).name(rs.getString("name")).teamId(rs.getString("team_id"))
                .prefix(rs.getString("prefix")).hash(rs.getString("hash")).allowedModels(Set.of(strings(rs.getArray("allowed_models"))))
                .expiresAt(instant(rs, "expires_at")).metadata(metadata(rs)).enabled(rs.getBoolean("enabled"))
                .revokedAt(instant(rs, "revoked_at")).limits(limits(rs)).createdAt(instant(rs, "created_at")).build();
    }

    private static int bindMetadata(Connection c, PreparedStatement p, int at, Map<String, String> metadata) throws SQLException {
        TreeMap<String, String> sorted = new TreeMap<>(metadata);
        p.setArray(at, c.createArrayOf("text", sorted.keySet().toArray()));
        p.setArray(at + 1, c.createArrayOf("text", sorted.values().toArray()));
        return at + 2;
    }

    private static Map<String, String> metadata(ResultSet rs) throws SQLException {
        String[] keys = strings(rs.getArray("meta_keys"));
        String[] values = strings(rs.getArray("meta_values"));
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            m.put(keys[i], values[i]);
        }
        return m;
    }

    private static String[] strings(Array a) throws SQLException {
        if (a == null) {
            return new String[0];
        }
        Object[] values = (Object[]) a.getArray();
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (String) values[i];
        }
        return out;
    }

    private static int bindLimits(PreparedStatement p, int at, Limits l) throws SQLException {
        setLong(p, at, l.rpm());
        setLong(p, at + 1, l.tpm());
        if (l.maxParallel() == null) {
            p.setNull(at + 2, Types.INTEGER);
        } else {
            p.setInt(at + 2, l.maxParallel());
        }
        setLong(p, at + 3, l.budget() == null ? null : l.budget().microUsd());
        p.setString(at + 4, l.budget() == null ? null : l.budget().period().name());
        return at + 5;
    }

    private static Limits limits(ResultSet rs) throws SQLException {
        Long budget = longOrNull(rs, "budget_micro_usd");
        Long maxParallel = longOrNull(rs, "max_parallel");
        return Limits.builder().rpm(longOrNull(rs, "rpm")).tpm(longOrNull(rs, "tpm"))
                .maxParallel(maxParallel == null ? null : Math.toIntExact(maxParallel))
                .budget(budget == null ? null : new Budget(budget, Period.valueOf(rs.getString("budget_period")))).build();
    }

    private static void setLong(PreparedStatement p, int at, Long value) throws SQLException {
        if (value == null) {
            p.setNull(at, Types.BIGINT);
        } else {
            p.setLong(at, value);
        }
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static void setInstant(PreparedStatement p, int at, Instant i) throws SQLException {
        if (i == null) {
            p.setNull(at, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            p.setObject(at, OffsetDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    // ---- stored responses

    private static final String RESPONSE_COLUMNS = "id, previous_id, key_id, team_id, model, created_at, expires_at, deployment, turn,"
            + " response";
    private final ResponseStore responses = new Responses();

    @Override
    public Optional<ResponseStore> responses() {
        return Optional.of(responses);
    }

    /** {@code tollgate_response}; the chain is one recursive query, the purge skips rows another gateway is deleting. */
    private final class Responses implements ResponseStore {

        @Override
        public void put(StoredResponse r) {
            Objects.requireNonNull(r, "response is null");
            boolean inserted = write("putResponse", c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO tollgate_response (" + RESPONSE_COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                    p.setString(1, r.id());
                    p.setString(2, r.previousId());
                    p.setString(3, r.keyId());
                    p.setString(4, r.teamId());
                    p.setString(5, r.model());
                    setInstant(p, 6, r.createdAt());
                    setInstant(p, 7, r.expiresAt());
                    p.setString(8, r.deployment());
                    p.setBytes(9, r.turn());
                    p.setBytes(10, r.response());
                    return p.executeUpdate() == 1;
                }
            });
            if (!inserted) {
                throw new IllegalArgumentException("response already exists: " + r.id());
            }
        }

        @Override
        public Optional<StoredResponse> get(String id) {
            Objects.requireNonNull(id, "id is null");
            return read("getResponse", c -> {
                try (PreparedStatement p = c.prepareStatement("SELECT " + RESPONSE_COLUMNS + " FROM tollgate_response WHERE id = ?")) {
                    p.setString(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        return rs.next() ? Optional.of(response(rs)) : Optional.<StoredResponse>empty();
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
                try (PreparedStatement p = c.prepareStatement("WITH RECURSIVE chain AS ("
                        + " SELECT id, previous_id, 1 AS depth, octet_length(turn)::bigint + octet_length(response) AS total"
                        + " FROM tollgate_response WHERE id = ?"
                        + " UNION ALL SELECT r.id, r.previous_id, c.depth + 1, c.total + octet_length(r.turn) + octet_length(r.response)"
                        + " FROM tollgate_response r JOIN chain c ON r.id = c.previous_id WHERE c.depth < ? AND c.total <= ?)"
                        + " SELECT " + RESPONSE_COLUMNS.replaceAll("(^|, )", "$1r.") + " FROM chain JOIN tollgate_response r ON r.id = chain.id"
                        + " ORDER BY chain.depth")) {
                    p.setString(1, id);
                    p.setInt(2, maxDepth);
                    p.setLong(3, maxBytes);
                    List<StoredResponse> out = new ArrayList<>();
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(response(rs));
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
                try (PreparedStatement p = c.prepareStatement("DELETE FROM tollgate_response WHERE id = ?")) {
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
                try (PreparedStatement p = c.prepareStatement("DELETE FROM tollgate_response WHERE id IN (SELECT id FROM"
                        + " tollgate_response WHERE expires_at <= ? ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)")) {
                    setInstant(p, 1, now);
                    p.setInt(2, limit);
                    return p.executeUpdate();
                }
            });
        }
    }

    private static StoredResponse response(ResultSet rs) throws SQLException {
        return StoredResponse.builder().id(rs.getString("id")).previousId(rs.getString("previous_id")).keyId(rs.getString("key_id"))
                .teamId(rs.getString("team_id")).model(rs.getString("model")).createdAt(instant(rs, "created_at"))
                .expiresAt(instant(rs, "expires_at")).deployment(rs.getString("deployment")).turn(rs.getBytes("turn"))
                .response(rs.getBytes("response")).build();
    }

    // ---- plumbing

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T write(String operation, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the transaction is gone either way; the original failure is the one to report
        }
    }

    private <T> T read(String operation, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    private StoreException failure(String operation, SQLException e) {
        return new StoreException(operation + " failed on " + where + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "postgres " + where;
    }
}
