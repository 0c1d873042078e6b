package dev.tollgate.kernel.governance;

import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.spi.store.GovernanceStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys and teams the request path reads: an immutable snapshot swapped whole when an admin
 * change lands (or a refresh from the store), so an I/O thread never blocks or locks to read it.
 */
public final class GovernanceDirectory {

    private volatile Snapshot snapshot = new Snapshot(List.of(), List.of());

    public Optional<VirtualKey> keyByHash(String hash) {
        return Optional.ofNullable(snapshot.byHash.get(hash));
    }

    public Optional<VirtualKey> key(String id) {
        return Optional.ofNullable(snapshot.keys.get(id));
    }

    public Optional<Team> team(String id) {
        return Optional.ofNullable(snapshot.teams.get(id));
    }

    /** The team and its ancestors, nearest first; empty for {@code null} or an unknown id. */
    public List<Team> teamPath(String teamId) {
        List<Team> path = new ArrayList<>();
        Snapshot s = snapshot;
        String id = teamId;
        while (id != null && path.size() <= s.teams.size()) {
            Team t = s.teams.get(id);
            if (t == null) {
                break;
            }
            path.add(t);
            id = t.parentId();
        }
        return path;
    }

    /** Replaces the whole snapshot. */
    public void replace(Collection<VirtualKey> keys, Collection<Team> teams) {
        snapshot = new Snapshot(keys, teams);
    }

    /** Replaces the directory from the store (blocking). */
    public void reload(GovernanceStore store) {
        replace(store.keys(), store.teams());
    }

    private static final class Snapshot {
        final Map<String, VirtualKey> keys = new HashMap<>();
        final Map<String, VirtualKey> byHash = new HashMap<>();
        final Map<String, Team> teams = new HashMap<>();

        Snapshot(Collection<VirtualKey> ks, Collection<Team> ts) {
            for (VirtualKey k : ks) {
                keys.put(k.id(), k);
                byHash.put(k.hash(), k);
            }
            for (Team t : ts) {
                teams.put(t.id(), t);
            }
        }
    }
}
