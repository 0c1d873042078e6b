package dev.tollgate.kernel.governance;

import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.spi.store.GovernanceStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link GovernanceStore} in memory for tests, every method synchronized: nothing survives a
 * restart, and its ledger keeps every entry.
 */
public class InMemoryGovernanceStore implements GovernanceStore {

    private final Map<String, Team> teams = new LinkedHashMap<>();
    private final Map<String, VirtualKey> keys = new LinkedHashMap<>();
    private final List<SpendEntry> ledger = new ArrayList<>();
    private final Set<String> recordedRequests = new HashSet<>();

    @Override
    public synchronized void createTeam(Team team) {
        if (teams.putIfAbsent(team.id(), team) != null) {
            throw new IllegalArgumentException("team " + team.id() + " already exists");
        }
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
        if (keys.containsKey(key.id()) || keys.values().stream().anyMatch(k -> k.hash().equals(key.hash()))) {
            throw new IllegalArgumentException("key " + key.id() + " already exists");
        }
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
        VirtualKey old = keys.get(key.id());
        if (old == null) {
            return false;
        }
        keys.put(key.id(), VirtualKey.builder().id(key.id()).name(key.name()).teamId(key.teamId()).prefix(old.prefix())
                .hash(old.hash()).allowedModels(key.allowedModels())
                .expiresAt(key.expiresAt()).metadata(key.metadata()).enabled(key.enabled()).revokedAt(key.revokedAt())
                .limits(key.limits()).createdAt(old.createdAt()).build());
        return true;
    }

    /** When set, every {@link #recordSpend} throws it (a ledger that cannot write). */
    public volatile RuntimeException failWrites;

    @Override
    public synchronized void recordSpend(List<SpendEntry> entries) {
        if (failWrites != null) {
            throw failWrites;
        }
        for (SpendEntry e : entries) {
            if (recordedRequests.add(e.requestId())) {
                ledger.add(e);
            }
        }
    }

    /** The recorded entries, in the order they came. */
    public synchronized List<SpendEntry> entries() {
        return new ArrayList<>(ledger);
    }

    @Override
    public synchronized List<SpendQuery.Row> spend(SpendQuery query) {
        Map<String, long[]> groups = new LinkedHashMap<>();
        for (SpendEntry e : ledger) {
            if ((query.from() != null && e.at().isBefore(query.from())) || (query.to() != null && !e.at().isBefore(query.to()))) {
                continue;
            }
            List<String> names = switch (query.groupBy()) {
                case KEY -> e.keyId() == null ? List.of() : List.of(e.keyId());
                case TEAM -> e.teamPath();
                case MODEL -> List.of(e.model());
                case DAY -> List.of(e.at().atZone(ZoneOffset.UTC).toLocalDate().toString());
            };
            for (String name : names) {
                long[] g = groups.computeIfAbsent(name, n -> new long[5]);
                if (e.microUsd() == null) {
                    g[2]++;
                } else {
                    g[0] += e.microUsd();
                }
                g[1]++;
                g[3] += e.inputTokens();
                g[4] += e.outputTokens();
            }
        }
        List<SpendQuery.Row> rows = new ArrayList<>();
        groups.forEach((name, g) -> rows.add(SpendQuery.Row.builder(name).microUsd(g[0]).requests(g[1]).unpricedRequests(g[2])
                .inputTokens(g[3]).outputTokens(g[4]).build()));
        rows.sort((a, b) -> a.group().compareTo(b.group()));
        return rows;
    }

    @Override
    public synchronized long keySpentMicros(String keyId, Instant from) {
        return ledger.stream().filter(e -> keyId.equals(e.keyId()) && !e.at().isBefore(from) && e.microUsd() != null)
                .mapToLong(SpendEntry::microUsd).sum();
    }

    @Override
    public synchronized long teamSpentMicros(String teamId, Instant from) {
        return ledger.stream().filter(e -> e.teamPath().contains(teamId) && !e.at().isBefore(from) && e.microUsd() != null)
                .mapToLong(SpendEntry::microUsd).sum();
    }

    @Override
    public void close() {}
}
