package dev.tollgate.kernel.plugin;

import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.ReservationResult;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.TokenBucketResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Calls a plugin's {@link StateBackend} with the plugin's loader as context class loader, and runs
 * the subscribers handed to it with the subscriber's loader, whichever thread the backend calls
 * them on.
 */
public final class ClassLoaderSafeStateBackend implements StateBackend {

    private final StateBackend delegate;
    private final ClassLoader loader;
    private final ClassLoader subscriberLoader;

    /**
     * @param loader           the backend plugin's loader
     * @param subscriberLoader the loader of the plugin that uses this view (its subscribers run with it)
     */
    public ClassLoaderSafeStateBackend(StateBackend delegate, ClassLoader loader, ClassLoader subscriberLoader) {
        this.delegate = delegate;
        this.loader = loader;
        this.subscriberLoader = subscriberLoader;
    }

    @Override
    public CompletionStage<Long> increment(String key, long delta, Duration ttl) {
        return ContextClassLoader.call(loader, () -> delegate.increment(key, delta, ttl));
    }

    @Override
    public CompletionStage<Long> get(String key) {
        return ContextClassLoader.call(loader, () -> delegate.get(key));
    }

    @Override
    public CompletionStage<Long> incrementIfWithin(String key, long delta, long limit, Duration ttl) {
        return ContextClassLoader.call(loader, () -> delegate.incrementIfWithin(key, delta, limit, ttl));
    }

    @Override
    public CompletionStage<TokenBucketResult> takeTokens(String key, long capacity, double refillPerSecond, long tokens) {
        return ContextClassLoader.call(loader, () -> delegate.takeTokens(key, capacity, refillPerSecond, tokens));
    }

    @Override
    public CompletionStage<ReservationResult> reserve(Reservation reservation) {
        return ContextClassLoader.call(loader, () -> delegate.reserve(reservation));
    }

    @Override
    public CompletionStage<Void> settle(String reservationId, Map<String, Long> actualByKey) {
        return ContextClassLoader.call(loader, () -> delegate.settle(reservationId, actualByKey));
    }

    @Override
    public CompletionStage<Void> release(String reservationId) {
        return ContextClassLoader.call(loader, () -> delegate.release(reservationId));
    }

    @Override
    public CompletionStage<Long> adjust(String key, long delta, Duration ttl) {
        return ContextClassLoader.call(loader, () -> delegate.adjust(key, delta, ttl));
    }

    @Override
    public CompletionStage<Void> publish(String channel, String message) {
        return ContextClassLoader.call(loader, () -> delegate.publish(channel, message));
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> listener) {
        Consumer<String> wrapped = message -> ContextClassLoader.run(subscriberLoader, () -> listener.accept(message));
        return ContextClassLoader.call(loader, () -> delegate.subscribe(channel, wrapped));
    }

    @Override
    public void close() {
        ContextClassLoader.run(loader, delegate::close);
    }
}
