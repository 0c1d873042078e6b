package dev.tollgate.kernel.governance;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A virtual key as stored: never the secret, only its SHA-256 ({@link #hash}, lower-case hex) and
 * a short non-secret {@link #prefix} for listings.
 *
 * @param allowedModels models this key may call; empty means all
 * @param expiresAt     end of validity, or {@code null}
 * @param revokedAt     when it was revoked, or {@code null}
 */
public record VirtualKey(String id, String name, String teamId, String prefix, String hash, Set<String> allowedModels,
        Instant expiresAt, Map<String, String> metadata, boolean enabled, Instant revokedAt, Limits limits, Instant createdAt) {
    public VirtualKey {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(prefix, "prefix is null");
        Objects.requireNonNull(hash, "hash is null");
        allowedModels = allowedModels == null ? Set.of() : Set.copyOf(allowedModels);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        limits = limits == null ? Limits.NONE : limits;
        Objects.requireNonNull(createdAt, "createdAt is null");
    }

    /** Whether a request at {@code now} may use this key (enabled, not revoked, not expired). */
    public boolean usableAt(Instant now) {
        return enabled && revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    public boolean allows(String model) {
        return allowedModels.isEmpty() || allowedModels.contains(model);
    }
}
