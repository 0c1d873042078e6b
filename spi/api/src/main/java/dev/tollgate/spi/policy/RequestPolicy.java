package dev.tollgate.spi.policy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A hook around every request: authentication, rate limits, budgets, guards.
 *
 * <h2>Order and semantics</h2>
 * <ol>
 *   <li>{@link #admit} runs once per request (not per retry or fallback), before the cache probe
 *       and routing: first every {@link PolicyPhase#AUTHENTICATE} policy, then every
 *       {@link PolicyPhase#GOVERN} policy, each phase in configuration order, one after the other
 *       (the next starts when the previous stage completed). Each sees the principal established
 *       by the ones before it.</li>
 *   <li>A policy rejects by completing the stage exceptionally with a
 *       {@link dev.tollgate.spi.GatewayException} (or throwing one): the request is
 *       short-circuited with that error (its status, headers and {@code Retry-After}) and no later
 *       policy's {@code admit} runs. Any other exception or error is a bug: the request fails with
 *       500, as if the policy had rejected it. A stage that does not complete within the kernel's
 *       admission timeout fails the request with 503; if it completes later, that admission is
 *       settled at once as cancelled.</li>
 *   <li>An admission with an {@link Admission#answer() answer} short-circuits the request with
 *       that answer.</li>
 *   <li>{@link #beforeAttempt} runs before each attempt on a deployment (the first one, each
 *       retry, each fallback), in admission order, for every admitted policy; it may replace the
 *       policy's admission state (a budget re-prices its reservation for a fallback model) or
 *       reject this attempt with a {@code GatewayException} (the kernel may then try the next
 *       candidate when the exception allows fallback).</li>
 *   <li>{@link #settle} runs exactly once per request after it ended (answered, failed, or cut by
 *       the client), for every policy whose {@code admit} completed normally, in reverse order. It
 *       receives the real usage and cost, so a budget can settle its reservation. A failing
 *       settlement never fails the request (the answer is already sent): it is logged and counted,
 *       and the remaining policies still settle. Graceful shutdown waits for pending settlements.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * Every hook is called on the request's I/O thread and must not block. In-memory checks answer
 * with a completed stage; asynchronous clients (Redis through Lettuce) return their stage; blocking
 * work (JDBC, files) goes through {@link dev.tollgate.spi.PluginContext#offload}, which runs it on
 * a virtual thread. The kernel moves back to the I/O thread itself.
 */
public interface RequestPolicy extends AutoCloseable {

    /** The phase this policy runs in. */
    default PolicyPhase phase() {
        return PolicyPhase.GOVERN;
    }

    /** Admits the request, or completes exceptionally with a {@link dev.tollgate.spi.GatewayException}. */
    CompletionStage<Admission> admit(PolicyRequest request);

    /**
     * Called before each attempt; {@code admission} is this policy's current admission. Returns it
     * (the default) or a replacement whose {@link Admission#state()} later hooks receive.
     */
    default CompletionStage<Admission> beforeAttempt(PolicyRequest request, Admission admission, AttemptInfo attempt) {
        return CompletableFuture.completedFuture(admission);
    }

    /** Settles after the request ended; {@code admission} is this policy's latest admission. */
    default CompletionStage<Void> settle(PolicyRequest request, Admission admission, Outcome outcome) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    default void close() {}
}
