package dev.tollgate.kernel.governance;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One settled request in the spend ledger. {@link #requestId} names it in errors; the ledger keeps
 * sums, not requests (see {@link GovernanceStore#recordSpend}).
 *
 * @param teamPath the key's team and its ancestors, nearest first (empty without a team)
 * @param microUsd the settled cost in micro-dollars; {@code null} when the cost is unknown
 */
public record SpendEntry(String requestId, Instant at, String keyId, List<String> teamPath, String model, Long microUsd,
        long inputTokens, long outputTokens) {
    public SpendEntry {
        Objects.requireNonNull(requestId, "requestId is null");
        Objects.requireNonNull(at, "at is null");
        teamPath = teamPath == null ? List.of() : List.copyOf(teamPath);
        Objects.requireNonNull(model, "model is null");
    }
}
