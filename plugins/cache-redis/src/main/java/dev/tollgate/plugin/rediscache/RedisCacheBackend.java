package dev.tollgate.plugin.rediscache;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.time.Ticker;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The shared tier: {@code GET}, {@code SET … PX} and {@code DEL} on one Lettuce connection. Never
 * blocks a caller: while Redis is away every command fails at once (Lettuce rejects commands while
 * disconnected, and reconnects by itself), so the kernel bypasses the tier and the request goes
 * on. A gateway starts even when Redis is not there yet: the tier is bypassed and connecting is
 * tried again, at most once a second, when a request would use it.
 */
final class RedisCacheBackend implements CacheBackend {

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisCacheConfig config;
    private final Ticker ticker;
    private final System.Logger log;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile long nextAttemptNanos;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile RedisAsyncCommands<String, byte[]> redis;
    private volatile boolean closed;

    private RedisCacheBackend(ClientResources resources, RedisClient client, RedisCacheConfig config, Ticker ticker, System.Logger log) {
        this.resources = resources;
        this.client = client;
        this.config = config;
        this.ticker = ticker;
        this.log = log;
    }

    /** Connects, blocking up to the connect timeout (the kernel creates backends on a thread that may block). */
    static RedisCacheBackend start(RedisCacheConfig config, Ticker ticker, System.Logger log, Metrics metrics) {
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
                .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        config.uri().setTimeout(config.commandTimeout());
        RedisClient client = RedisClient.create(resources, config.uri());
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(config.maxPending())
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.builder().fixedTimeout(config.commandTimeout()).build())
                .build());
        RedisCacheBackend backend = new RedisCacheBackend(resources, client, config, ticker, log);
        metrics.gauge("connected", "Whether the shared cache tier has a connection to Redis (1) or is bypassed (0)",
                () -> backend.redis != null && backend.connection.isOpen() ? 1 : 0);
        try {
            backend.connected(client.connect(CODEC, config.uri()));
        } catch (RuntimeException e) {
            backend.nextAttemptNanos = ticker.nanoTime() + RETRY_NANOS;
            log.log(System.Logger.Level.WARNING, "the redis cache tier cannot reach Redis yet ({0}); it is bypassed until it can",
                    e.getClass().getSimpleName());
        }
        return backend;
    }

    private void connected(StatefulRedisConnection<String, byte[]> c) {
        if (closed) {
            c.close();
            return;
        }
        connection = c;
        redis = c.async();
    }

    /** The commands, or null while there is no connection yet (then a connection attempt may start). */
    private RedisAsyncCommands<String, byte[]> commands() {
        RedisAsyncCommands<String, byte[]> r = redis;
        if (r != null || closed) {
            return r;
        }
        long now = ticker.nanoTime();
        if (now >= nextAttemptNanos && connecting.compareAndSet(false, true)) {
            nextAttemptNanos = now + RETRY_NANOS;
            client.connectAsync(CODEC, config.uri()).whenComplete((c, e) -> {
                connecting.set(false);
                if (c != null) {
                    connected(c);
                    log.log(System.Logger.Level.INFO, "the redis cache tier is connected");
                }
            });
        }
        return null;
    }

    private static <T> CompletionStage<T> unavailable() {
        return CompletableFuture.failedFuture(new IllegalStateException("the redis cache tier is not connected"));
    }

    @Override
    public CompletionStage<Optional<Bytes>> get(String key) {
        RedisAsyncCommands<String, byte[]> r = commands();
        if (r == null) {
            return unavailable();
        }
        return r.get(config.keyPrefix() + key).thenApply(v -> v == null ? Optional.<Bytes>empty() : Optional.of(Bytes.wrapOwned(v)));
    }

    @Override
    public CompletionStage<Void> put(String key, Bytes value, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("ttl must be positive"));
        }
        RedisAsyncCommands<String, byte[]> r = commands();
        if (r == null) {
            return unavailable();
        }
        return r.set(config.keyPrefix() + key, value.toArray(), SetArgs.Builder.px(Math.max(1, ttl.toMillis()))).thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Void> remove(String key) {
        RedisAsyncCommands<String, byte[]> r = commands();
        if (r == null) {
            return unavailable();
        }
        return r.del(config.keyPrefix() + key).thenApply(n -> null);
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
