package dev.tollgate.kernel.state;

import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.TokenBucketResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The default {@link StateBackend}: one process, atomic per key through
 * {@link ConcurrentHashMap#compute}, expiry checked lazily on access. Notifications are delivered
 * on {@code notifier}, never on the publisher's thread.
 */
public final class InProcessStateBackend implements StateBackend {

    private record Counter(long value, long expiresAtNanos) {}

    private record Bucket(double tokens, long refilledAtNanos) {}

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
    private final Executor notifier;

    public InProcessStateBackend(Executor notifier) {
        this.notifier = notifier;
    }

    @Override
    public CompletionStage<Long> increment(String key, long delta, Duration ttl) {
        long now = System.nanoTime();
        Counter c = counters.compute(key, (k, old) -> old == null || old.expiresAtNanos() <= now
                ? new Counter(delta, now + ttl.toNanos())
                : new Counter(old.value() + delta, old.expiresAtNanos()));
        return CompletableFuture.completedFuture(c.value());
    }

    @Override
    public CompletionStage<Long> get(String key) {
        Counter c = counters.get(key);
        return CompletableFuture.completedFuture(c == null || c.expiresAtNanos() <= System.nanoTime() ? 0L : c.value());
    }

    @Override
    public CompletionStage<Long> incrementIfWithin(String key, long delta, long limit, Duration ttl) {
        long now = System.nanoTime();
        long[] result = new long[1];
        counters.compute(key, (k, old) -> {
            Counter live = old == null || old.expiresAtNanos() <= now ? new Counter(0, now + ttl.toNanos()) : old;
            if (live.value() + delta > limit) {
                result[0] = -1;
                return old;
            }
            result[0] = live.value() + delta;
            return new Counter(result[0], live.expiresAtNanos());
        });
        return CompletableFuture.completedFuture(result[0]);
    }

    @Override
    public CompletionStage<TokenBucketResult> takeTokens(String key, long capacity, double refillPerSecond, long tokens) {
        long now = System.nanoTime();
        TokenBucketResult[] result = new TokenBucketResult[1];
        buckets.compute(key, (k, old) -> {
            double available = old == null ? capacity
                    : Math.min(capacity, old.tokens() + (now - old.refilledAtNanos()) / 1e9 * refillPerSecond);
            if (available >= tokens) {
                result[0] = new TokenBucketResult(true, (long) (available - tokens), Duration.ZERO);
                return new Bucket(available - tokens, now);
            }
            double missing = tokens - available;
            long waitNanos = refillPerSecond <= 0 ? Long.MAX_VALUE : (long) Math.ceil(missing / refillPerSecond * 1e9);
            result[0] = new TokenBucketResult(false, (long) available, Duration.ofNanos(waitNanos));
            return new Bucket(available, now);
        });
        return CompletableFuture.completedFuture(result[0]);
    }

    @Override
    public CompletionStage<Void> publish(String channel, String message) {
        List<Consumer<String>> list = subscribers.get(channel);
        if (list != null) {
            for (Consumer<String> c : list) {
                notifier.execute(() -> c.accept(message));
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> listener) {
        subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> subscribers.getOrDefault(channel, List.of()).remove(listener);
    }
}
