package dev.tollgate.spi.policy;

/**
 * A hook around every request: authentication, rate limits, budgets, guards.
 *
 * <h2>Order and semantics</h2>
 * <ol>
 *   <li>{@link #admit} runs once per request (not per retry or fallback attempt), before the cache
 *       probe and routing: first every {@link PolicyPhase#AUTHENTICATE} policy, then every
 *       {@link PolicyPhase#GOVERN} policy, each phase in configuration order. Each policy sees the
 *       principal established by the ones before it.</li>
 *   <li>A policy rejects by throwing a {@link dev.tollgate.spi.GatewayException}; the request is
 *       short-circuited and no later policy's {@code admit} runs. Any other exception is a bug: the
 *       request fails with 500, as if the policy had rejected it.</li>
 *   <li>{@link #settle} runs once per request after the response ended (completed, failed, or cut
 *       by the client), for every policy whose {@code admit} returned normally, in reverse order.
 *       It receives the real usage, so a budget can settle its reservation.</li>
 *   <li>{@code settle} must not fail the request (the response is already sent); an exception it
 *       throws is logged and counted, and the remaining policies still settle.</li>
 * </ol>
 * Both methods may block (a Redis round trip, a file): the kernel never calls them on an I/O thread.
 */
public interface RequestPolicy extends AutoCloseable {

    /** The phase this policy runs in. */
    default PolicyPhase phase() {
        return PolicyPhase.GOVERN;
    }

    /** Admits the request or throws a {@link dev.tollgate.spi.GatewayException}. */
    Admission admit(PolicyRequest request);

    /** Settles after the response; {@code admission} is what {@link #admit} returned. */
    default void settle(PolicyRequest request, Admission admission, Outcome outcome) {}

    @Override
    default void close() {}
}
