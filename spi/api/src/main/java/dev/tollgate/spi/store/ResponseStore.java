package dev.tollgate.spi.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where stored OpenAI Responses are kept ({@code store: true} on {@code POST /v1/responses}), so
 * that {@code previous_response_id}, {@code GET} and {@code DELETE /v1/responses/{id}} work on any
 * gateway instance that shares the store. Reached through {@link GovernanceStore#responses()}: the
 * embedded store keeps them under {@code data/}, a shared store (PostgreSQL) for every instance.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>The same as {@link GovernanceStore}'s: blocking, bounded waits, thread-safe, durable on
 *       return, a write that throws changed nothing, database failures are
 *       {@link StoreException}.</li>
 *   <li><b>Opaque.</b> The store keeps what it is given and checks nothing about it: the kernel
 *       decides who may read a response ({@link StoredResponse#keyId()}, {@link StoredResponse#teamId()})
 *       and whether it has expired; the store hands back expired ones until they are purged.</li>
 *   <li><b>Round trips are exact</b> (bytes identical) but for instants, kept to the microsecond at
 *       least.</li>
 * </ul>
 * The testkit's {@code ResponseStoreContract} checks an implementation against this contract.
 */
public interface ResponseStore {

    /** @throws IllegalArgumentException when a response with this id exists */
    void put(StoredResponse response);

    /** The response with this id, expired or not. */
    Optional<StoredResponse> get(String id);

    /**
     * The response with this id followed by its ancestors through {@link StoredResponse#previousId()},
     * newest first, in one round trip where the database allows it: at most {@code maxDepth}
     * responses, and it ends early at the first ancestor that is not stored. It also ends once the
     * responses returned hold more than {@code maxBytes} of {@link StoredResponse#turn()} and
     * {@link StoredResponse#response()} together (the response that crosses it is the last one
     * returned), so that a long conversation is never read whole into memory only to be refused: a
     * store sums the sizes before it reads the rows. Empty when {@code id} itself is not stored.
     */
    List<StoredResponse> chain(String id, int maxDepth, long maxBytes);

    /** Deletes one response (not its ancestors or descendants); false when there is none. */
    boolean delete(String id);

    /**
     * Deletes at most {@code limit} responses whose {@link StoredResponse#expiresAt()} is at or
     * before {@code now}, and returns how many it deleted (the kernel calls again while it gets
     * {@code limit}).
     */
    int deleteExpired(Instant now, int limit);
}
