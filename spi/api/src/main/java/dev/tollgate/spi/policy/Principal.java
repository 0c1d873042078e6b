package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is calling, as established by {@link PolicyPhase#AUTHENTICATE} policies. It never holds a
 * secret: keys appear by id and name only.
 */
public final class Principal {

    public static final Principal ANONYMOUS = builder().build();

    private final String keyId;
    private final String keyName;
    private final String teamId;
    private final List<String> teamPath;
    private final Map<String, String> attributes;

    private Principal(Builder b) {
        this.keyId = b.keyId;
        this.keyName = b.keyName;
        this.teamId = b.teamId;
        this.teamPath = List.copyOf(b.teamPath);
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().keyId(keyId).keyName(keyName).teamId(teamId).teamPath(teamPath);
        b.attributes.putAll(attributes);
        return b;
    }

    /** The id of the key used (never the key itself), when one was. */
    public Optional<String> keyId() {
        return Optional.ofNullable(keyId);
    }

    public Optional<String> keyName() {
        return Optional.ofNullable(keyName);
    }

    /** The team the key belongs to, when it belongs to one. */
    public Optional<String> teamId() {
        return Optional.ofNullable(teamId);
    }

    /** The team's ancestors and the team itself, outermost (the organisation) first; empty without a team. */
    public List<String> teamPath() {
        return teamPath;
    }

    /** Further facts later policies may use (tier, region…). */
    public Map<String, String> attributes() {
        return attributes;
    }

    public boolean isAnonymous() {
        return keyId == null;
    }

    @Override
    public String toString() {
        return "Principal[key=" + keyId + ", team=" + teamId + "]";
    }

    /** Builds {@link Principal}s. */
    public static final class Builder {
        private String keyId;
        private String keyName;
        private String teamId;
        private final List<String> teamPath = new ArrayList<>();
        private final Map<String, String> attributes = new LinkedHashMap<>();

        private Builder() {}

        public Builder keyId(String v) {
            this.keyId = v;
            return this;
        }

        public Builder keyName(String v) {
            this.keyName = v;
            return this;
        }

        public Builder teamId(String v) {
            this.teamId = v;
            return this;
        }

        public Builder teamPath(List<String> path) {
            teamPath.clear();
            teamPath.addAll(path);
            return this;
        }

        public Builder attribute(String key, String value) {
            attributes.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
            return this;
        }

        public Principal build() {
            return new Principal(this);
        }
    }
}
