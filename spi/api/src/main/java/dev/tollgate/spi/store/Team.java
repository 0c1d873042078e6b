package dev.tollgate.spi.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A team. A team without a parent is an organisation; teams nest to any depth. Every level's
 * limits apply to every request of a key below it. Built with {@link #builder()}.
 */
public final class Team {

    private final String id;
    private final String name;
    private final String parentId;
    private final Limits limits;
    private final Map<String, String> metadata;
    private final Instant createdAt;

    private Team(Builder b) {
        this.id = requireNonNull(b.id, "id is null");
        this.name = requireNonNull(b.name, "name is null");
        this.parentId = b.parentId;
        this.limits = b.limits == null ? Limits.NONE : b.limits;
        this.metadata = b.metadata == null ? Map.of() : Map.copyOf(b.metadata);
        this.createdAt = requireNonNull(b.createdAt, "createdAt is null");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().id(id).name(name).parentId(parentId).limits(limits).metadata(metadata).createdAt(createdAt);
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** The parent team's id, or {@code null} for an organisation. */
    public String parentId() {
        return parentId;
    }

    public Limits limits() {
        return limits;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Instant createdAt() {
        return createdAt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Team t && id.equals(t.id) && name.equals(t.name) && Objects.equals(parentId, t.parentId)
                && limits.equals(t.limits) && metadata.equals(t.metadata) && createdAt.equals(t.createdAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, parentId, limits, metadata, createdAt);
    }

    @Override
    public String toString() {
        return "Team[id=" + id + ", name=" + name + ", parentId=" + parentId + ", limits=" + limits + ", metadata=" + metadata
                + ", createdAt=" + createdAt + "]";
    }

    /** Builds a {@link Team}: id, name and createdAt are required; limits default to none, metadata to empty. */
    public static final class Builder {
        private String id;
        private String name;
        private String parentId;
        private Limits limits;
        private Map<String, String> metadata;
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

        public Builder parentId(String parentId) {
            this.parentId = parentId;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder metadata(Map<String, String> metadata) {
            this.metadata = metadata;
            return this;
        }

        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /** @throws NullPointerException when id, name or createdAt is missing */
        public Team build() {
            return new Team(this);
        }
    }
}
