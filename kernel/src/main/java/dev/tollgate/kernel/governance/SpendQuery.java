package dev.tollgate.kernel.governance;

import java.time.Instant;
import java.util.Objects;

/** A ledger aggregation: {@code from} inclusive, {@code to} exclusive (either may be null: unbounded). */
public record SpendQuery(GroupBy groupBy, Instant from, Instant to) {
    public enum GroupBy { KEY, TEAM, MODEL, DAY }

    public SpendQuery {
        Objects.requireNonNull(groupBy, "groupBy is null");
    }

    /**
     * One group of a {@link SpendQuery}. {@code group} is the key id, team id, model or UTC day
     * ({@code yyyy-MM-dd}); a team's row includes the spend of its sub-teams.
     * {@code unpricedRequests} counts requests whose cost is unknown (not in {@code microUsd}).
     */
    public record Row(String group, long microUsd, long requests, long unpricedRequests, long inputTokens, long outputTokens) {}
}
