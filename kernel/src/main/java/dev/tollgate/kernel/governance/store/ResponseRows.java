package dev.tollgate.kernel.governance.store;

import dev.tollgate.spi.store.StoredResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** Mapping between {@link StoredResponse} and the {@code response} table (schema version 3). */
final class ResponseRows {

    static final String COLUMNS = "id, previous_id, key_id, team_id, model, created_at, expires_at, expires_us, deployment, turn, response";

    private ResponseRows() {}

    static void bind(PreparedStatement p, StoredResponse r) throws SQLException {
        p.setString(1, r.id());
        p.setString(2, r.previousId());
        p.setString(3, r.keyId());
        p.setString(4, r.teamId());
        p.setString(5, r.model());
        p.setString(6, r.createdAt().toString());
        p.setString(7, r.expiresAt() == null ? null : r.expiresAt().toString());
        if (r.expiresAt() == null) {
            p.setNull(8, Types.BIGINT);
        } else {
            p.setLong(8, micros(r.expiresAt()));
        }
        p.setString(9, r.deployment());
        p.setBytes(10, r.turn());
        p.setBytes(11, r.response());
    }

    static StoredResponse read(ResultSet rs) throws SQLException {
        String expires = rs.getString("expires_at");
        return StoredResponse.builder().id(rs.getString("id")).previousId(rs.getString("previous_id")).keyId(rs.getString("key_id"))
                .teamId(rs.getString("team_id")).model(rs.getString("model")).createdAt(Instant.parse(rs.getString("created_at")))
                .expiresAt(expires == null ? null : Instant.parse(expires)).deployment(rs.getString("deployment"))
                .turn(bytes(rs, "turn")).response(bytes(rs, "response")).build();
    }

    /** Epoch microseconds, rounded down; saturated at the ends of the long range. */
    static long micros(Instant i) {
        if (i.isBefore(Instant.ofEpochSecond(-9_000_000_000_000L))) {
            return Long.MIN_VALUE;
        }
        if (i.isAfter(Instant.ofEpochSecond(9_000_000_000_000L))) {
            return Long.MAX_VALUE;
        }
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    /** SQLite hands back a zero-length blob as null. */
    private static byte[] bytes(ResultSet rs, String column) throws SQLException {
        byte[] b = rs.getBytes(column);
        return b == null ? new byte[0] : b;
    }
}
