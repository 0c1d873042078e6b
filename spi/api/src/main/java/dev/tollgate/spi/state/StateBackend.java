package dev.tollgate.spi.state;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * State shared by every gateway instance that uses the same backend: in-process by default, Redis
 * when a state plugin is configured. Every operation is atomic. Methods return at once and must not
 * block.
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

    /** Publishes {@code message} to every subscriber of {@code channel}, on every instance. */
    CompletionStage<Void> publish(String channel, String message);

    /** Subscribes to {@code channel}; closing the handle unsubscribes. */
    AutoCloseable subscribe(String channel, Consumer<String> listener);

    @Override
    default void close() {}
}
