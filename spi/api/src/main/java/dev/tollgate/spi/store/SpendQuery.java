package dev.tollgate.spi.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Objects;

/** A ledger aggregation: {@code from} inclusive, {@code to} exclusive (either may be null: unbounded). */
public record SpendQuery(GroupBy groupBy, Instant from, Instant to) {

    /** What one {@link Row} sums over. */
    public enum GroupBy {
        /** The key id; entries without a key are left out. */
        KEY,
        /** The team id; a team's row includes its sub-teams'; entries without a team are left out. */
        TEAM,
        /** The client-facing model. */
        MODEL,
        /** The UTC day, {@code yyyy-MM-dd}. */
        DAY
    }

    public SpendQuery {
        requireNonNull(groupBy, "groupBy is null");
    }

    /**
     * One group of a {@link SpendQuery}. {@code group} is the key id, team id, model or UTC day
     * ({@code yyyy-MM-dd}). {@code unpricedRequests} counts requests whose cost is unknown (not in
     * {@code microUsd}); {@code requests} counts them too. Built with {@link #builder(String)}.
     */
    public static final class Row {

        private final String group;
        private final long microUsd;
        private final long requests;
        private final long unpricedRequests;
        private final long inputTokens;
        private final long outputTokens;

        private Row(Builder b) {
            this.group = requireNonNull(b.group, "group is null");
            this.microUsd = b.microUsd;
            this.requests = b.requests;
            this.unpricedRequests = b.unpricedRequests;
            this.inputTokens = b.inputTokens;
            this.outputTokens = b.outputTokens;
        }

        public static Builder builder(String group) {
            return new Builder(group);
        }

        public String group() {
            return group;
        }

        public long microUsd() {
            return microUsd;
        }

        public long requests() {
            return requests;
        }

        public long unpricedRequests() {
            return unpricedRequests;
        }

        public long inputTokens() {
            return inputTokens;
        }

        public long outputTokens() {
            return outputTokens;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && group.equals(r.group) && microUsd == r.microUsd && requests == r.requests
                    && unpricedRequests == r.unpricedRequests && inputTokens == r.inputTokens && outputTokens == r.outputTokens;
        }

        @Override
        public int hashCode() {
            return Objects.hash(group, microUsd, requests, unpricedRequests, inputTokens, outputTokens);
        }

        @Override
        public String toString() {
            return "Row[group=" + group + ", microUsd=" + microUsd + ", requests=" + requests + ", unpricedRequests="
                    + unpricedRequests + ", inputTokens=" + inputTokens + ", outputTokens=" + outputTokens + "]";
        }

        /** Builds a {@link Row}; every sum starts at 0. */
        public static final class Builder {
            private final String group;
            private long microUsd;
            private long requests;
            private long unpricedRequests;
            private long inputTokens;
            private long outputTokens;

            private Builder(String group) {
                this.group = group;
            }

            public Builder microUsd(long microUsd) {
                this.microUsd = microUsd;
                return this;
            }

            public Builder requests(long requests) {
                this.requests = requests;
                return this;
            }

            public Builder unpricedRequests(long unpricedRequests) {
                this.unpricedRequests = unpricedRequests;
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

            public Row build() {
                return new Row(this);
            }
        }
    }
}
