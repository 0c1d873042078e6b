package dev.tollgate.kernel.governance;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A team. A team without a parent is an organisation; teams nest to any depth. Every level's
 * limits apply to every request of a key below it.
 */
public record Team(String id, String name, String parentId, Limits limits, Map<String, String> metadata, Instant createdAt) {
    public Team {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        limits = limits == null ? Limits.NONE : limits;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        Objects.requireNonNull(createdAt, "createdAt is null");
    }
}
