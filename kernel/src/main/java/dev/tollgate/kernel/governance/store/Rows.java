package dev.tollgate.kernel.governance.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Mapping between the model records and table columns. Limits are columns; metadata (a JSON
 * object) and allowed models (a JSON array, sorted) are text; instants of keys and teams are
 * ISO-8601 text, exact to the nanosecond; ledger buckets are epoch seconds.
 */
final class Rows {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};
    private static final TypeReference<List<String>> MODELS = new TypeReference<>() {};
    /** The ledger's range, inclusive and exclusive (version 1 stored epoch nanoseconds in a long). */
    private static final Instant MIN_NANOS = Instant.parse("1678-01-01T00:00:00Z");
    private static final Instant MAX_NANOS = Instant.parse("2262-01-01T00:00:00Z");

    private Rows() {}

    /** Binds name .. created_at, then id (the UPDATE's WHERE or the INSERT's last column). */
    static void bindTeam(PreparedStatement p, Team t) throws SQLException {
        p.setString(1, t.name());
        p.setString(2, t.parentId());
        int next = bindLimits(p, 3, t.limits());
        p.setString(next, json(new TreeMap<>(t.metadata())));
        p.setString(next + 1, t.createdAt().toString());
        p.setString(next + 2, t.id());
    }

    static Team team(ResultSet rs) throws SQLException {
        return Team.builder().id(rs.getString("id")).name(rs.getString("name")).parentId(rs.getString("parent_id")).limits(limits(rs))
                .metadata(parse(rs.getString("metadata"), METADATA)).createdAt(Instant.parse(rs.getString("created_at"))).build();
    }

    /** Binds name .. created_at, then id; returns the next free parameter index. */
    static int bindKey(PreparedStatement p, VirtualKey k) throws SQLException {
        p.setString(1, k.name());
        p.setString(2, k.teamId());
        p.setString(3, json(new TreeSet<>(k.allowedModels())));
        p.setString(4, text(k.expiresAt()));
        p.setString(5, json(new TreeMap<>(k.metadata())));
        p.setInt(6, k.enabled() ? 1 : 0);
        p.setString(7, text(k.revokedAt()));
        int next = bindLimits(p, 8, k.limits());
        p.setString(next, k.createdAt().toString());
        p.setString(next + 1, k.id());
        return next + 2;
    }

    static VirtualKey key(ResultSet rs) throws SQLException {
        return VirtualKey.builder().id(rs.getString("id")).name(rs.getString("name")).teamId(rs.getString("team_id"))
                .prefix(rs.getString("prefix")).hash(rs.getString("hash"))
                .allowedModels(Set.copyOf(parse(rs.getString("allowed_models"), MODELS)))
                .expiresAt(instant(rs.getString("expires_at"))).metadata(parse(rs.getString("metadata"), METADATA))
                .enabled(rs.getInt("enabled") != 0).revokedAt(instant(rs.getString("revoked_at"))).limits(limits(rs))
                .createdAt(Instant.parse(rs.getString("created_at"))).build();
    }

    private static int bindLimits(PreparedStatement p, int at, Limits l) throws SQLException {
        setLong(p, at, l.rpm());
        setLong(p, at + 1, l.tpm());
        setLong(p, at + 2, l.maxParallel() == null ? null : l.maxParallel().longValue());
        setLong(p, at + 3, l.budget() == null ? null : l.budget().microUsd());
        p.setString(at + 4, l.budget() == null ? null : l.budget().period().name());
        return at + 5;
    }

    private static Limits limits(ResultSet rs) throws SQLException {
        Long maxParallel = longOrNull(rs, "max_parallel");
        Long budget = longOrNull(rs, "budget_micro_usd");
        String period = rs.getString("budget_period");
        return Limits.builder().rpm(longOrNull(rs, "rpm")).tpm(longOrNull(rs, "tpm"))
                .maxParallel(maxParallel == null ? null : Math.toIntExact(maxParallel))
                .budget(budget == null ? null : new Budget(budget, Period.valueOf(period))).build();
    }

    static void setLong(PreparedStatement p, int at, Long value) throws SQLException {
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

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    /** Refuses an instant outside the years 1678 to 2261, the range version 1 of the ledger could hold. */
    static void requireLedgerRange(Instant i) {
        if (i.isBefore(MIN_NANOS) || !i.isBefore(MAX_NANOS)) {
            throw new IllegalArgumentException("instant out of the ledger's range (years 1678 to 2261): " + i);
        }
    }

    /** The first whole epoch second at or after {@code at}; {@code null}: {@link Long#MIN_VALUE}. */
    static long firstSecondFrom(Instant at) {
        return firstSecondFrom(at, Long.MIN_VALUE);
    }

    /** The first whole epoch second at or after {@code at}; {@code null}: {@code ifNull}. */
    static long firstSecondFrom(Instant at, long ifNull) {
        if (at == null) {
            return ifNull;
        }
        return at.getNano() == 0 ? at.getEpochSecond() : at.getEpochSecond() + 1;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static <T> T parse(String text, TypeReference<T> type) {
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new GovernanceStoreException("a stored JSON column is corrupt: " + e.getOriginalMessage(), e);
        }
    }
}
