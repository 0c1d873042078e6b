package dev.tollgate.spi.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One settled request for the spend ledger. {@link #requestId} names it in errors; a store may keep
 * sums rather than requests (see {@link GovernanceStore#recordSpend}). Built with {@link #builder()}.
 */
public final class SpendEntry {

    private final String requestId;
    private final Instant at;
    private final String keyId;
    private final List<String> teamPath;
    private final String model;
    private final Long microUsd;
    private final long inputTokens;
    private final long outputTokens;

    private SpendEntry(Builder b) {
        this.requestId = requireNonNull(b.requestId, "requestId is null");
        this.at = requireNonNull(b.at, "at is null");
        this.keyId = b.keyId;
        this.teamPath = b.teamPath == null ? List.of() : List.copyOf(b.teamPath);
        this.model = requireNonNull(b.model, "model is null");
        this.microUsd = b.microUsd;
        this.inputTokens = b.inputTokens;
        this.outputTokens = b.outputTokens;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().requestId(requestId).at(at).keyId(keyId).teamPath(teamPath).model(model).microUsd(microUsd)
                .inputTokens(inputTokens).outputTokens(outputTokens);
    }

    public String requestId() {
        return requestId;
    }

    /** When the request settled. */
    public Instant at() {
        return at;
    }

    /** The virtual key's id, or {@code null} for a request without a key. */
    public String keyId() {
        return keyId;
    }

    /** The key's team and its ancestors, nearest first (empty without a team). */
    public List<String> teamPath() {
        return teamPath;
    }

    /** The client-facing model. */
    public String model() {
        return model;
    }

    /** The settled cost in micro-dollars; {@code null} when the cost is unknown (never recorded as 0). */
    public Long microUsd() {
        return microUsd;
    }

    public long inputTokens() {
        return inputTokens;
    }

    public long outputTokens() {
        return outputTokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpendEntry e && requestId.equals(e.requestId) && at.equals(e.at) && Objects.equals(keyId, e.keyId)
                && teamPath.equals(e.teamPath) && model.equals(e.model) && Objects.equals(microUsd, e.microUsd)
                && inputTokens == e.inputTokens && outputTokens == e.outputTokens;
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, at, keyId, teamPath, model, microUsd, inputTokens, outputTokens);
    }

    @Override
    public String toString() {
        return "SpendEntry[requestId=" + requestId + ", at=" + at + ", keyId=" + keyId + ", teamPath=" + teamPath + ", model="
                + model + ", microUsd=" + microUsd + ", inputTokens=" + inputTokens + ", outputTokens=" + outputTokens + "]";
    }

    /** Builds a {@link SpendEntry}: requestId, at and model are required. */
    public static final class Builder {
        private String requestId;
        private Instant at;
        private String keyId;
        private List<String> teamPath;
        private String model;
        private Long microUsd;
        private long inputTokens;
        private long outputTokens;

        private Builder() {}

        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        public Builder at(Instant at) {
            this.at = at;
            return this;
        }

        public Builder keyId(String keyId) {
            this.keyId = keyId;
            return this;
        }

        public Builder teamPath(List<String> teamPath) {
            this.teamPath = teamPath;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder microUsd(Long microUsd) {
            this.microUsd = microUsd;
            return this;
        }

        public Builder inputTokens(long inputTokens) {
            this.inputTokens = inputTokens;
            return this;
        }

        public Builder outputTokens(long outputTokens) {
            this.outputTokens = outputTokens;
            return this;
        }

        /** @throws NullPointerException when requestId, at or model is missing */
        public SpendEntry build() {
            return new SpendEntry(this);
        }
    }
}
