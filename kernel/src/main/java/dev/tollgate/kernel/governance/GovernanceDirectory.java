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
    private final java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
    private long installed;

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
        install(reads.incrementAndGet(), keys, teams);
    }

    /**
     * Replaces the directory from the store (blocking). Reloads run at once (an admin change here,
     * a change announced by another instance, the periodic refresh): each takes its ticket before
     * it reads, and a read that finishes after a later one is dropped, so an older view of the
     * store never replaces a newer one (a key just created would else vanish for a moment).
     */
    public void reload(GovernanceStore store) {
        long ticket = reads.incrementAndGet();
        install(ticket, store.keys(), store.teams());
    }

    private synchronized void install(long ticket, Collection<VirtualKey> keys, Collection<Team> teams) {
        if (ticket < installed) {
            return;
        }
        installed = ticket;
        snapshot = new Snapshot(keys, teams);
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
