package dev.tollgate.spi.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable home of virtual keys, teams and the spend ledger: the embedded SQLite store by
 * default, a plugin's store (PostgreSQL, for instance) when several gateway instances share one.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Blocking.</b> Every method blocks until its work is done (JDBC style). The kernel calls
 *       a store from worker or virtual threads, never from an I/O thread; the request path reads
 *       keys and teams from an in-memory snapshot that the kernel reloads through {@link #keys()} and
 *       {@link #teams()}, so a slow store never slows admission. A store bounds every wait (pool,
 *       connect, statement) so that no caller blocks forever.</li>
 *   <li><b>Thread-safe.</b> Any method may be called from many threads at once.</li>
 *   <li><b>Writes are durable on return.</b> When a write returns, a crash of the gateway process
 *       loses nothing of it; a write that throws changed nothing.</li>
 *   <li><b>Round trips are exact</b> but for instants, which a store keeps to the microsecond at
 *       least (it may drop finer digits).</li>
 *   <li><b>{@link #recordSpend} is atomic.</b> All entries of one call are recorded, or none.</li>
 *   <li><b>Period sums are exact for period starts.</b> {@link #keySpentMicros} and
 *       {@link #teamSpentMicros} must be exact when {@code from} is a budget period's start (a
 *       local midnight, a Monday or a first of the month in any zone, whose offsets are whole
 *       quarter hours), whatever the store aggregates. Other instants may be resolved to the
 *       store's own granularity, which the store documents.</li>
 *   <li><b>Errors.</b> Invalid arguments (a negative cost, a duplicate id) throw
 *       {@link IllegalArgumentException} or {@link NullPointerException} and will fail again; a
 *       failure of the database throws {@link StoreException} (or another unchecked exception),
 *       which the kernel may retry. Unknown ids are not errors: lookups return empty, updates and
 *       deletes return {@code false}, sums return 0.</li>
 * </ul>
 *
 * <p>The kernel keeps the referential rules (a key's team exists, a team with keys or sub-teams is
 * not deleted); a store stores what it is given. The testkit's {@code GovernanceStoreContract}
 * checks an implementation against this contract.
 */
public interface GovernanceStore extends AutoCloseable {

    /** @throws IllegalArgumentException when a team with this id exists */
    void createTeam(Team team);

    Optional<Team> team(String id);

    /** Every team, ordered by id. */
    List<Team> teams();

    /** Replaces the team with this id; false when there is none. */
    boolean updateTeam(Team team);

    /** Deletes a team; false when there is none. */
    boolean deleteTeam(String id);

    /** @throws IllegalArgumentException when a key with this id or this hash exists */
    void createKey(VirtualKey key);

    Optional<VirtualKey> key(String id);

    /** The key whose {@link VirtualKey#hash()} is {@code hash}. */
    Optional<VirtualKey> keyByHash(String hash);

    /** Every key, ordered by id. */
    List<VirtualKey> keys();

    /** Replaces the key with this id, except its hash and prefix, which never change; false when there is none. */
    boolean updateKey(VirtualKey key);

    /**
     * Records settled requests in one transaction: when this returns, every entry is durable; when
     * it throws, none is recorded. The kernel records each request exactly once, so a store need not
     * detect a repeat (a store that keeps sums counts an entry recorded twice twice). A negative cost
     * or token count, or an empty key or team id, is refused with {@link IllegalArgumentException}
     * before anything is written.
     */
    void recordSpend(List<SpendEntry> entries);

    /**
     * The ledger's sums per group, ordered by group. {@link SpendQuery.GroupBy#KEY} leaves out
     * entries without a key, {@link SpendQuery.GroupBy#TEAM} those without a team, and a team's row
     * includes the spend of its sub-teams.
     */
    List<SpendQuery.Row> spend(SpendQuery query);

    /**
     * Priced spend of one key since {@code from} (inclusive; {@code null}: since the beginning);
     * exact when {@code from} is a budget period's start.
     */
    long keySpentMicros(String keyId, Instant from);

    /** Priced spend of one team, its sub-teams included, since {@code from}; as {@link #keySpentMicros}. */
    long teamSpentMicros(String teamId, Instant from);

    /**
     * Where this store keeps stored OpenAI Responses; empty for a store that keeps none (the kernel
     * then refuses to start unless {@code responses.store} is {@code off}). The default is empty so
     * that stores written against SPI 1.0 still load.
     */
    default Optional<ResponseStore> responses() {
        return Optional.empty();
    }

    /** Releases the store's connections; calls after it fail. */
    @Override
    void close();
}
