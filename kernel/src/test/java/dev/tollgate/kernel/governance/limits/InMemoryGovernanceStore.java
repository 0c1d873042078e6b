package dev.tollgate.kernel.governance.limits;

import dev.tollgate.kernel.governance.GovernanceStore;
import dev.tollgate.kernel.governance.SpendEntry;
import dev.tollgate.kernel.governance.SpendQuery;
import dev.tollgate.kernel.governance.Team;
import dev.tollgate.kernel.governance.VirtualKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link GovernanceStore} in memory, for tests: a ledger with the store's idempotence and sums. */
final class InMemoryGovernanceStore implements GovernanceStore {

    private final Map<String, Team> teams = new LinkedHashMap<>();
    private final Map<String, VirtualKey> keys = new LinkedHashMap<>();
    private final Map<String, SpendEntry> ledger = new LinkedHashMap<>();
    volatile RuntimeException failWrites;

    @Override
    public synchronized void createTeam(Team team) {
        teams.put(team.id(), team);
    }

    @Override
    public synchronized Optional<Team> team(String id) {
        return Optional.ofNullable(teams.get(id));
    }

    @Override
    public synchronized List<Team> teams() {
        return List.copyOf(teams.values());
    }

    @Override
    public synchronized boolean updateTeam(Team team) {
        return teams.replace(team.id(), team) != null;
    }

    @Override
    public synchronized boolean deleteTeam(String id) {
        return teams.remove(id) != null;
    }

    @Override
    public synchronized void createKey(VirtualKey key) {
        keys.put(key.id(), key);
    }

    @Override
    public synchronized Optional<VirtualKey> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public synchronized Optional<VirtualKey> keyByHash(String hash) {
        return keys.values().stream().filter(k -> k.hash().equals(hash)).findFirst();
    }

    @Override
    public synchronized List<VirtualKey> keys() {
        return List.copyOf(keys.values());
    }

    @Override
    public synchronized boolean updateKey(VirtualKey key) {
        return keys.replace(key.id(), key) != null;
    }

    @Override
    public synchronized void recordSpend(List<SpendEntry> entries) {
        if (failWrites != null) {
            throw failWrites;
        }
        for (SpendEntry e : entries) {
            ledger.putIfAbsent(e.requestId(), e);
        }
    }

    synchronized List<SpendEntry> entries() {
        return new ArrayList<>(ledger.values());
    }

    @Override
    public synchronized List<SpendQuery.Row> spend(SpendQuery query) {
        if (query.groupBy() != SpendQuery.GroupBy.MODEL) {
            throw new UnsupportedOperationException("only by model in this fake");
        }
        Map<String, long[]> sums = new LinkedHashMap<>();
        for (SpendEntry e : ledger.values()) {
            if (in(e.at(), query.from(), query.to())) {
                long[] s = sums.computeIfAbsent(e.model(), m -> new long[5]);
                s[0] += e.microUsd() == null ? 0 : e.microUsd();
                s[1]++;
                s[2] += e.microUsd() == null ? 1 : 0;
                s[3] += e.inputTokens();
                s[4] += e.outputTokens();
            }
        }
        List<SpendQuery.Row> rows = new ArrayList<>();
        sums.forEach((m, s) -> rows.add(new SpendQuery.Row(m, s[0], s[1], s[2], s[3], s[4])));
        return rows;
    }

    @Override
    public synchronized long keySpentMicros(String keyId, Instant from) {
        return ledger.values().stream().filter(e -> keyId.equals(e.keyId()) && in(e.at(), from, null))
                .mapToLong(e -> e.microUsd() == null ? 0 : e.microUsd()).sum();
    }

    @Override
    public synchronized long teamSpentMicros(String teamId, Instant from) {
        return ledger.values().stream().filter(e -> e.teamPath().contains(teamId) && in(e.at(), from, null))
                .mapToLong(e -> e.microUsd() == null ? 0 : e.microUsd()).sum();
    }

    private static boolean in(Instant at, Instant from, Instant to) {
        return (from == null || !at.isBefore(from)) && (to == null || at.isBefore(to));
    }

    @Override
    public void close() {}
}
