package dev.tollgate.plugin.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The listeners of this instance on its own pub/sub connection. Redis is subscribed to a channel
 * while it has a listener here; every channel is subscribed again whenever the connection comes
 * back, so subscriptions outlive an outage (a SUBSCRIBE that failed while Redis was away too).
 * Messages reach listeners on one delivery thread, in order, through a bounded queue: when a slow
 * listener lets it fill, further messages are dropped and counted, never buffered without bound.
 */
final class Subscriptions implements AutoCloseable {

    static final int QUEUE = 10_000;

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final String prefix;
    private final System.Logger log;
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor delivery;
    private final AtomicLong dropped = new AtomicLong();

    Subscriptions(StatefulRedisPubSubConnection<String, String> connection, String prefix, System.Logger log) {
        this.connection = connection;
        this.prefix = prefix;
        this.log = log;
        this.delivery = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "tollgate-redis-notify");
            t.setDaemon(true);
            return t;
        });
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                deliver(channel, message);
            }
        });
    }

    AutoCloseable subscribe(String channel, Consumer<String> listener) {
        listeners.compute(channel, (c, list) -> {
            List<Consumer<String>> l = list == null ? new CopyOnWriteArrayList<>() : list;
            if (l.isEmpty()) {
                redisSubscribe(c);
            }
            l.add(listener);
            return l;
        });
        return () -> listeners.computeIfPresent(channel, (c, list) -> {
            list.remove(listener);
            if (list.isEmpty()) {
                connection.async().unsubscribe(prefix + c);
                return null;
            }
            return list;
        });
    }

    /** Subscribes every channel again; called when the connection is (re)established. */
    void resubscribe() {
        listeners.keySet().forEach(this::redisSubscribe);
    }

    long dropped() {
        return dropped.get();
    }

    private void redisSubscribe(String channel) {
        connection.async().subscribe(prefix + channel).exceptionally(e -> {
            log.log(Level.DEBUG, "subscribing to a channel failed; it is retried when Redis is back: {0}", e.toString());
            return null;
        });
    }

    private void deliver(String redisChannel, String message) {
        if (!redisChannel.startsWith(prefix)) {
            return;
        }
        List<Consumer<String>> list = listeners.get(redisChannel.substring(prefix.length()));
        if (list == null) {
            return;
        }
        for (Consumer<String> listener : list) {
            try {
                delivery.execute(() -> notify(listener, message));
            } catch (RejectedExecutionException e) {
                if (dropped.getAndIncrement() % 1000 == 0) {
                    log.log(Level.WARNING, "notifications dropped: a listener is too slow ({0} so far)", dropped.get());
                }
            }
        }
    }

    private void notify(Consumer<String> listener, String message) {
        try {
            listener.accept(message);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "a state notification listener failed", e);
        }
    }

    @Override
    public void close() {
        delivery.shutdownNow();
        connection.close();
    }
}
