package dev.tollgate.spi.state;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * State shared by every gateway instance that uses the same backend: in-process by default, Redis
 * when a state plugin is configured. Every operation is atomic. Methods return at once and must not
 * block. Time (windows, leases) is the backend's own: a monotonic ticker in process, the server's
 * clock for Redis.
 *
 * <h2>Counters and windows</h2>
 * A key names a counter. A counter lives in a window: it is started by a write (increment,
 * adjust, settle) or by a granted reservation on a key without a live counter, lasts the ttl (the
 * hold's {@code window}) given then, and reads 0 once that has passed; the next write or
 * reservation starts a new window. {@link #get}, {@link #increment} and {@link #incrementIfWithin}
 * see only the counter ("used"), never reserved amounts.
 *
 * <h2>Reservations</h2>
 * A {@link Reservation} holds amounts against several counters at once. For a key, "reserved" is
 * the sum of the amounts of its live holds: those of reservations neither settled, released nor
 * past their lease. {@link #reserve} grants a reservation only if every hold passes,
 * {@code used(key) + reserved(key) + amount <= limit}, checked in order; then its holds count as
 * reserved until it ends. A reservation ends by {@link #settle} (its actual amounts are added to
 * the counters), by {@link #release} (nothing is added), or by itself when its lease passes
 * without either (its holds stop counting at that instant; nothing is added). After its lease has
 * passed a backend still remembers a reservation's holds until twice its lease has passed since it
 * was granted, so that a late settle still knows their windows; then it forgets it.
 */
public interface StateBackend extends AutoCloseable {

    /** Adds {@code delta} and returns the new value; the key expires {@code ttl} after its creation. */
    CompletionStage<Long> increment(String key, long delta, Duration ttl);

    /** The current value, 0 when absent. */
    CompletionStage<Long> get(String key);

    /**
     * Adds {@code delta} only if the result stays at or below {@code limit} (a reservation): returns
     * the new value, or -1 when it would exceed the limit (and nothing changed).
     */
    CompletionStage<Long> incrementIfWithin(String key, long delta, long limit, Duration ttl);

    /** Takes {@code tokens} from a token bucket of {@code capacity} refilled at {@code refillPerSecond}. */
    CompletionStage<TokenBucketResult> takeTokens(String key, long capacity, double refillPerSecond, long tokens);

    /**
     * Holds every amount of {@code reservation} against its limit, atomically: either all holds are
     * granted and count as reserved from now on, or nothing changes and the result names the first
     * hold, in order, that would exceed its limit (with that key's used plus reserved total, the
     * limit and when the key's window ends). Keys without a live counter get a new counter of 0
     * whose window is the hold's {@code window}. A denied reservation leaves no trace: its id may
     * be reserved again. The stage fails with {@link IllegalStateException} when a reservation with
     * the same id is live or still remembered.
     */
    CompletionStage<ReservationResult> reserve(Reservation reservation);

    /**
     * Replaces a reservation's held amounts with the actual ones (committed to the counters) and
     * ends it. Each hold's key gets its amount from {@code actualByKey} (0 when absent, at least 0)
     * added to its counter, in a new window of the hold's {@code window} when the key has no live
     * counter; the amount may exceed what was held and the limit (the work was done). A key that the
     * reservation does not hold fails the stage with {@link IllegalArgumentException} and changes
     * nothing.
     *
     * <p>An unknown id (never granted, already ended, or forgotten after its lease) is not an
     * error, since the work was done all the same: each amount is added to its key's live counter,
     * and dropped for a key without one, whose window cannot be known. So settle each reservation
     * once: a second settle counts again.
     */
    CompletionStage<Void> settle(String reservationId, Map<String, Long> actualByKey);

    /** Ends a reservation without committing anything; an unknown id is a no-op. */
    CompletionStage<Void> release(String reservationId);

    /**
     * Adds {@code delta} (negative to correct downwards) to a counter after the fact, for example
     * when a token count arrives after the reservation was settled. The value never goes below 0.
     * A key without a live counter starts one whose window is {@code ttl} (unless {@code delta}
     * is not positive: then nothing is started and 0 is returned). Returns the new value.
     */
    CompletionStage<Long> adjust(String key, long delta, Duration ttl);

    /** Publishes {@code message} to every subscriber of {@code channel}, on every instance. */
    CompletionStage<Void> publish(String channel, String message);

    /** Subscribes to {@code channel}; closing the handle unsubscribes. */
    AutoCloseable subscribe(String channel, Consumer<String> listener);

    @Override
    default void close() {}
}
