package dev.tollgate.plugin.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The in-process tier. Bounded by weight in bytes (an entry weighs its key, its value and
 * {@link #OVERHEAD} for the map's own objects), each entry expiring after its own time to live
 * on the plugin's ticker. Every call completes before it returns: nothing here waits on I/O.
 * Cache maintenance (eviction, expiry) runs on the calling thread, in small amortised steps,
 * instead of a shared pool the gateway does not control.
 */
final class CaffeineCacheBackend implements CacheBackend {

    /** What one entry costs beyond its key and value: the map node, the entry object, the Bytes view. */
    static final int OVERHEAD = 160;

    private record Entry(Bytes value, long ttlNanos) {}

    private final Cache<String, Entry> cache;
    private final Metrics.Counter evictedBySize;
    private final Metrics.Counter expired;

    CaffeineCacheBackend(CaffeineCacheConfig config, Ticker ticker, Metrics metrics) {
        Metrics.LabeledCounter evictions = metrics.counter("evictions_total",
                "Entries the in-process cache tier dropped before they were read again: size (to stay within max_bytes) or expired",
                List.of("cause"));
        this.evictedBySize = evictions.labels("size");
        this.expired = evictions.labels("expired");
        this.cache = Caffeine.newBuilder()
                .maximumWeight(config.maxBytes())
                .weigher((String k, Entry e) -> (int) Math.min(Integer.MAX_VALUE, (long) k.length() * 2 + e.value().length() + OVERHEAD))
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry e, long currentTime) {
                        return e.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry e, long currentTime, long currentDuration) {
                        return e.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Entry e, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .ticker(ticker::nanoTime)
                .executor(Runnable::run)
                .removalListener((String k, Entry e, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictedBySize.increment();
                    } else if (cause == RemovalCause.EXPIRED) {
                        expired.increment();
                    }
                })
                .build();
        metrics.gauge("bytes", "What the entries of the in-process cache tier weigh, in bytes",
                () -> cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L));
        metrics.gauge("entries", "Entries in the in-process cache tier", cache::estimatedSize);
        metrics.gauge("max_bytes", "The in-process cache tier's bound in bytes", config::maxBytes);
    }

    @Override
    public CompletionStage<Optional<Bytes>> get(String key) {
        Entry e = cache.getIfPresent(key);
        return CompletableFuture.completedFuture(e == null ? Optional.empty() : Optional.of(e.value()));
    }

    @Override
    public CompletionStage<Void> put(String key, Bytes value, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("ttl must be positive"));
        }
        long nanos = ttl.compareTo(Duration.ofDays(365 * 100)) > 0 ? Duration.ofDays(365 * 100).toNanos() : ttl.toNanos();
        cache.put(key, new Entry(value, nanos));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> remove(String key) {
        cache.invalidate(key);
        return CompletableFuture.completedFuture(null);
    }

    /** Runs pending maintenance now (tests). */
    void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public void close() {
        cache.invalidateAll();
    }
}
