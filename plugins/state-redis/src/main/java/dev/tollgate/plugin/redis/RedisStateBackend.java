package dev.tollgate.plugin.redis;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.state.Hold;
import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.ReservationResult;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.TokenBucketResult;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link StateBackend} on Redis, shared by every gateway that points at the same Redis and key
 * prefix. Each operation is one round trip: a Lua script that Redis runs atomically, so a
 * reservation over several keys is all or nothing against every other instance. Windows are key
 * expiries and leases are read from Redis's clock ({@code TIME} inside the scripts), so instances
 * with skewed clocks agree. Holds whose lease has passed are dropped by the next reservation that
 * touches their key: a crashed instance's reservations free themselves.
 *
 * <p>Stages complete on Lettuce's I/O threads; nothing here blocks. A command fails its stage
 * after the command timeout; while Redis is unreachable commands fail at once (nothing queues) with
 * a {@link dev.tollgate.spi.GatewayException} of status 503, and the connection comes back by
 * itself. Notifications use a second connection (see {@link Subscriptions}).
 *
 * <p>Counter values are exact up to 2<sup>53</sup> (Lua's numbers are doubles). Needs Redis 6.2
 * or later, not in cluster mode (the scripts touch keys of several hash slots).
 */
final class RedisStateBackend implements StateBackend {

    /** At most this many commands wait for a reply per connection; more fail at once. */
    static final int REQUEST_QUEUE = 10_000;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Reconnect attempts back off up to this, so a returning Redis is used again within seconds. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(2);

    private static final LuaScript INCREMENT = LuaScript.load("increment", ScriptOutputType.INTEGER);
    private static final LuaScript INCREMENT_IF_WITHIN = LuaScript.load("increment_if_within", ScriptOutputType.INTEGER);
    private static final LuaScript ADJUST = LuaScript.load("adjust", ScriptOutputType.INTEGER);
    private static final LuaScript TAKE_TOKENS = LuaScript.load("take_tokens", ScriptOutputType.MULTI);
    private static final LuaScript RESERVE = LuaScript.load("reserve", ScriptOutputType.MULTI);
    private static final LuaScript SETTLE = LuaScript.load("settle", ScriptOutputType.MULTI);
    private static final LuaScript RELEASE = LuaScript.load("release", ScriptOutputType.INTEGER);

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final Subscriptions subscriptions;
    private final KeyNames keys;
    private final Duration timeout;

    private RedisStateBackend(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> connection,
            Subscriptions subscriptions, KeyNames keys, Duration timeout) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = connection.async();
        this.subscriptions = subscriptions;
        this.keys = keys;
        this.timeout = timeout;
    }

    /**
     * Connects both connections, blocking (the kernel creates backends on a thread that may).
     *
     * @throws IllegalStateException when Redis cannot be reached; the message names no host or password
     */
    static RedisStateBackend connect(RedisStateConfig config, System.Logger log) {
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(50), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        RedisURI uri = config.uri();
        uri.setTimeout(config.commandTimeout());
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.builder().fixedTimeout(config.commandTimeout()).build())
                .build());
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect(StringCodec.UTF8);
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub(StringCodec.UTF8);
            Subscriptions subscriptions = new Subscriptions(pubSub, config.keyPrefix(), log);
            client.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                    if (handler == pubSub) {
                        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(subscriptions::resubscribe);
                    }
                }
            });
            return new RedisStateBackend(resources, client, connection, subscriptions, new KeyNames(config.keyPrefix()),
                    config.commandTimeout());
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot connect to the Redis state backend at its configured uri: "
                    + redacted(rootMessage(e), uri), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** Lettuce's messages do not carry the password; this makes sure of it. */
    private static String redacted(String message, RedisURI uri) {
        if (!(uri.getCredentialsProvider() instanceof RedisCredentialsProvider.ImmediateRedisCredentialsProvider immediate)) {
            return message;
        }
        RedisCredentials credentials = immediate.resolveCredentialsNow();
        if (credentials == null || !credentials.hasPassword() || credentials.getPassword().length == 0) {
            return message;
        }
        return message.replace(new String(credentials.getPassword()), "****");
    }

    @Override
    public CompletionStage<Long> increment(String key, long delta, Duration ttl) {
        requireNonNull(key, "key is null");
        return call(INCREMENT.<Long>run(redis, new String[] {keys.counter(key)}, Long.toString(delta), ms(ttl)), Function.identity());
    }

    @Override
    public CompletionStage<Long> get(String key) {
        requireNonNull(key, "key is null");
        return call(redis.get(keys.counter(key)).toCompletableFuture(), v -> v == null ? 0L : Long.parseLong(v));
    }

    @Override
    public CompletionStage<Long> incrementIfWithin(String key, long delta, long limit, Duration ttl) {
        requireNonNull(key, "key is null");
        return call(INCREMENT_IF_WITHIN.<Long>run(redis, new String[] {keys.counter(key)}, Long.toString(delta), Long.toString(limit),
                ms(ttl)), Function.identity());
    }

    @Override
    public CompletionStage<Long> adjust(String key, long delta, Duration ttl) {
        requireNonNull(key, "key is null");
        return call(ADJUST.<Long>run(redis, new String[] {keys.counter(key)}, Long.toString(delta), ms(ttl)), Function.identity());
    }

    @Override
    public CompletionStage<TokenBucketResult> takeTokens(String key, long capacity, double refillPerSecond, long tokens) {
        requireNonNull(key, "key is null");
        return call(TAKE_TOKENS.<List<Object>>run(redis, new String[] {keys.bucket(key)}, Long.toString(capacity),
                Double.toString(refillPerSecond), Long.toString(tokens)), reply -> {
            long wait = Long.parseLong(String.valueOf(reply.get(2)));
            return new TokenBucketResult(((Long) reply.get(0)) == 1L, Long.parseLong(String.valueOf(reply.get(1))),
                    Duration.ofNanos(wait < 0 ? Long.MAX_VALUE : wait));
        });
    }

    @Override
    public CompletionStage<ReservationResult> reserve(Reservation reservation) {
        requireNonNull(reservation, "reservation is null");
        List<Hold> holds = reservation.holds();
        String[] redisKeys = new String[1 + 3 * holds.size()];
        String[] args = new String[2 + 4 * holds.size()];
        redisKeys[0] = keys.reservation(reservation.id());
        args[0] = reservation.id();
        args[1] = ms(reservation.lease());
        for (int i = 0; i < holds.size(); i++) {
            Hold h = holds.get(i);
            redisKeys[1 + 3 * i] = keys.counter(h.key());
            redisKeys[2 + 3 * i] = keys.holds(h.key());
            redisKeys[3 + 3 * i] = keys.leases(h.key());
            args[2 + 4 * i] = h.key();
            args[3 + 4 * i] = Long.toString(h.amount());
            args[4 + 4 * i] = Long.toString(h.limit());
            args[5 + 4 * i] = ms(h.window());
        }
        return call(RESERVE.<List<Object>>run(redis, redisKeys, args), reply -> switch (String.valueOf(reply.get(0))) {
            case "granted" -> ReservationResult.granted();
            case "in_use" -> throw new IllegalStateException("reservation id " + reservation.id() + " is already in use");
            case "denied" -> {
                int index = ((Long) reply.get(1)).intValue();
                Hold h = holds.get(index);
                long pttl = (Long) reply.get(3);
                yield ReservationResult.denied(index, h.key(), (Long) reply.get(2), h.limit(), pttl < 0 ? null : Duration.ofMillis(pttl));
            }
            default -> throw new IllegalStateException("unexpected answer of the reserve script: " + reply.get(0));
        });
    }

    @Override
    public CompletionStage<Void> settle(String reservationId, Map<String, Long> actualByKey) {
        requireNonNull(reservationId, "reservationId is null");
        List<String> args = new ArrayList<>(2 + 2 * actualByKey.size());
        args.add(keys.prefix());
        args.add(reservationId);
        for (Map.Entry<String, Long> e : actualByKey.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "actual amount of " + e.getKey() + " must be at least 0, not " + e.getValue()));
            }
            args.add(e.getKey());
            args.add(Long.toString(e.getValue()));
        }
        return call(SETTLE.<List<Object>>run(redis, new String[] {keys.reservation(reservationId)}, args.toArray(String[]::new)),
                reply -> {
                    if ("no_key".equals(reply.get(0))) {
                        LinkedHashSet<Object> held = new LinkedHashSet<>(reply.subList(2, reply.size()));
                        throw new IllegalArgumentException("reservation " + reservationId + " holds no key " + reply.get(1)
                                + "; it holds " + held);
                    }
                    return null;
                });
    }

    @Override
    public CompletionStage<Void> release(String reservationId) {
        requireNonNull(reservationId, "reservationId is null");
        return call(RELEASE.<Long>run(redis, new String[] {keys.reservation(reservationId)}, keys.prefix(), reservationId), r -> null);
    }

    @Override
    public CompletionStage<Void> publish(String channel, String message) {
        requireNonNull(channel, "channel is null");
        requireNonNull(message, "message is null");
        return call(redis.publish(keys.prefix() + channel, message).toCompletableFuture(), r -> null);
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> listener) {
        requireNonNull(channel, "channel is null");
        requireNonNull(listener, "listener is null");
        return subscriptions.subscribe(channel, listener);
    }

    /** Notifications dropped because a listener was too slow, for tests and metrics. */
    long droppedNotifications() {
        return subscriptions.dropped();
    }

    @Override
    public void close() {
        subscriptions.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Maps the reply, or turns the failure into a clear one; a mapping's own exception passes as is. */
    private <R, T> CompletableFuture<T> call(CompletableFuture<R> command, Function<R, T> onReply) {
        BiFunction<R, Throwable, T> complete = (reply, failure) -> {
            if (failure != null) {
                throw new CompletionException(RedisFailures.translate(failure, timeout));
            }
            return onReply.apply(reply);
        };
        return command.handle(complete);
    }

    private static String ms(Duration d) {
        return Long.toString(Millis.ceil(d));
    }
}
