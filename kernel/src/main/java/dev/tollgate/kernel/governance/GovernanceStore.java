package dev.tollgate.kernel.governance;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable home of keys, teams and the spend ledger. Every method blocks (JDBC): call it from a
 * worker or virtual thread, never from an I/O thread. The request path reads keys and teams from a
 * {@link GovernanceDirectory} snapshot instead.
 */
public interface GovernanceStore extends AutoCloseable {

    void createTeam(Team team);

    Optional<Team> team(String id);

    List<Team> teams();

    /** Replaces the team with this id; false when there is none. */
    boolean updateTeam(Team team);

    /** Deletes a team; false when there is none. Callers refuse to delete a team that still has keys or sub-teams. */
    boolean deleteTeam(String id);

    void createKey(VirtualKey key);

    Optional<VirtualKey> key(String id);

    Optional<VirtualKey> keyByHash(String hash);

    List<VirtualKey> keys();

    /** Replaces the key with this id (its hash and prefix never change); false when there is none. */
    boolean updateKey(VirtualKey key);

    /**
     * Records settled requests durably, in one transaction. When this returns, the entries survive
     * a {@code kill -9}. Settlement records each request exactly once, so a store need not detect a
     * repeat: the embedded store keeps only sums and counts an entry recorded twice twice.
     */
    void recordSpend(List<SpendEntry> entries);

    List<SpendQuery.Row> spend(SpendQuery query);

    /**
     * Priced spend of one key since {@code from} (inclusive). Callers pass a budget period's start
     * (a local midnight, Monday or first of the month), which every store resolves exactly; the
     * embedded store resolves other instants to its 15-minute buckets.
     */
    long keySpentMicros(String keyId, Instant from);

    /** Priced spend of one team, its sub-teams included, since {@code from} (inclusive). */
    long teamSpentMicros(String teamId, Instant from);

    @Override
    void close();
}
