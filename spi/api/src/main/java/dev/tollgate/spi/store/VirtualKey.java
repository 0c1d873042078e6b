package dev.tollgate.spi.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A virtual key as stored: never the secret, only its SHA-256 ({@link #hash}, lower-case hex) and
 * a short non-secret {@link #prefix} for listings. Built with {@link #builder()}.
 */
public final class VirtualKey {

    private final String id;
    private final String name;
    private final String teamId;
    private final String prefix;
    private final String hash;
    private final Set<String> allowedModels;
    private final Instant expiresAt;
    private final Map<String, String> metadata;
    private final boolean enabled;
    private final Instant revokedAt;
    private final Limits limits;
    private final Instant createdAt;

    private VirtualKey(Builder b) {
        this.id = requireNonNull(b.id, "id is null");
        this.name = requireNonNull(b.name, "name is null");
        this.teamId = b.teamId;
        this.prefix = requireNonNull(b.prefix, "prefix is null");
        this.hash = requireNonNull(b.hash, "hash is null");
        this.allowedModels = b.allowedModels == null ? Set.of() : Set.copyOf(b.allowedModels);
        this.expiresAt = b.expiresAt;
        this.metadata = b.metadata == null ? Map.of() : Map.copyOf(b.metadata);
        this.enabled = b.enabled;
        this.revokedAt = b.revokedAt;
        this.limits = b.limits == null ? Limits.NONE : b.limits;
        this.createdAt = requireNonNull(b.createdAt, "createdAt is null");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().id(id).name(name).teamId(teamId).prefix(prefix).hash(hash).allowedModels(allowedModels)
                .expiresAt(expiresAt).metadata(metadata).enabled(enabled).revokedAt(revokedAt).limits(limits).createdAt(createdAt);
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** The key's team, or {@code null}. */
    public String teamId() {
        return teamId;
    }

    /** A short non-secret start of the key, for listings. */
    public String prefix() {
        return prefix;
    }

    /** SHA-256 of the key, lower-case hex. */
    public String hash() {
        return hash;
    }

    /** Models this key may call; empty means all. */
    public Set<String> allowedModels() {
        return allowedModels;
    }

    /** End of validity, or {@code null}. */
    public Instant expiresAt() {
        return expiresAt;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean enabled() {
        return enabled;
    }

    /** When it was revoked, or {@code null}. */
    public Instant revokedAt() {
        return revokedAt;
    }

    public Limits limits() {
        return limits;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Whether a request at {@code now} may use this key (enabled, not revoked, not expired). */
    public boolean usableAt(Instant now) {
        return enabled && revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    public boolean allows(String model) {
        return allowedModels.isEmpty() || allowedModels.contains(model);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VirtualKey k && id.equals(k.id) && name.equals(k.name) && Objects.equals(teamId, k.teamId)
                && prefix.equals(k.prefix) && hash.equals(k.hash) && allowedModels.equals(k.allowedModels)
                && Objects.equals(expiresAt, k.expiresAt) && metadata.equals(k.metadata) && enabled == k.enabled
                && Objects.equals(revokedAt, k.revokedAt) && limits.equals(k.limits) && createdAt.equals(k.createdAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, teamId, prefix, hash, allowedModels, expiresAt, metadata, enabled, revokedAt, limits, createdAt);
    }

    /** Names the key by id, name and prefix; never the hash. */
    @Override
    public String toString() {
        return "VirtualKey[id=" + id + ", name=" + name + ", teamId=" + teamId + ", prefix=" + prefix + ", allowedModels="
                + allowedModels + ", expiresAt=" + expiresAt + ", metadata=" + metadata + ", enabled=" + enabled + ", revokedAt="
                + revokedAt + ", limits=" + limits + ", createdAt=" + createdAt + "]";
    }

    /**
     * Builds a {@link VirtualKey}: id, name, prefix, hash and createdAt are required; a new key is
     * enabled, allows every model, has no limits and no metadata.
     */
    public static final class Builder {
        private String id;
        private String name;
        private String teamId;
        private String prefix;
        private String hash;
        private Set<String> allowedModels;
        private Instant expiresAt;
        private Map<String, String> metadata;
        private boolean enabled = true;
        private Instant revokedAt;
        private Limits limits;
        private Instant createdAt;

        private Builder() {}

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder teamId(String teamId) {
            this.teamId = teamId;
            return this;
        }

        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder hash(String hash) {
            this.hash = hash;
            return this;
        }

        public Builder allowedModels(Set<String> allowedModels) {
            this.allowedModels = allowedModels;
            return this;
        }

        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = expiresAt;
            return this;
        }

        public Builder metadata(Map<String, String> metadata) {
            this.metadata = metadata;
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder revokedAt(Instant revokedAt) {
            this.revokedAt = revokedAt;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /** @throws NullPointerException when a required field is missing */
        public VirtualKey build() {
            return new VirtualKey(this);
        }
    }
}
