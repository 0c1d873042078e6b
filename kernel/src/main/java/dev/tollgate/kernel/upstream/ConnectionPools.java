package dev.tollgate.kernel.upstream;

import io.undertow.client.ClientConnection;
import java.util.ArrayDeque;
import java.net.URI;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.xnio.IoUtils;

/**
 * The idle keep-alive connections of one I/O thread, by origin. Only that thread touches it, so
 * it needs no locks; a connection created on a thread is only ever used on it.
 */
final class ConnectionPools {

    private record Idle(ClientConnection connection, long sinceNanos) {}

    private final Map<Origin, ArrayDeque<Idle>> idle = new HashMap<>();
    private final Map<Origin, ClientConnection> multiplexed = new HashMap<>();
    private final Map<URI, Origin> origins = new IdentityHashMap<>();
    private final int maxIdlePerOrigin;
    private final long maxIdleNanos;

    ConnectionPools(int maxIdlePerOrigin, long maxIdleNanos) {
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.maxIdleNanos = maxIdleNanos;
    }

    /**
     * The origin of {@code uri}. Adapters build their URIs once, so the same instance comes back
     * on every request; the cache is bounded in case an adapter builds one per request.
     */
    Origin origin(URI uri) {
        Origin o = origins.get(uri);
        if (o == null) {
            if (origins.size() >= 1024) {
                origins.clear();
            }
            o = Origin.of(uri);
            origins.put(uri, o);
        }
        return o;
    }

    /** An open connection to {@code origin}, or {@code null} when a new one must be made. */
    ClientConnection take(Origin origin, long nowNanos) {
        ClientConnection shared = multiplexed.get(origin);
        if (shared != null) {
            if (shared.isOpen()) {
                return shared;
            }
            multiplexed.remove(origin);
        }
        ArrayDeque<Idle> q = idle.get(origin);
        if (q == null) {
            return null;
        }
        Idle i;
        while ((i = q.pollLast()) != null) {
            if (i.connection().isOpen() && nowNanos - i.sinceNanos() < maxIdleNanos) {
                return i.connection();
            }
            IoUtils.safeClose(i.connection());
        }
        return null;
    }

    /** Keeps a connection whose exchange completed cleanly for the next request. */
    void release(Origin origin, ClientConnection connection, long nowNanos) {
        if (!connection.isOpen()) {
            return;
        }
        if (connection.isMultiplexingSupported()) {
            multiplexed.putIfAbsent(origin, connection);
            return;
        }
        ArrayDeque<Idle> q = idle.computeIfAbsent(origin, o -> new ArrayDeque<>());
        while (!q.isEmpty() && (q.size() >= maxIdlePerOrigin || nowNanos - q.peekFirst().sinceNanos() >= maxIdleNanos)) {
            IoUtils.safeClose(q.pollFirst().connection());
        }
        q.addLast(new Idle(connection, nowNanos));
    }

    /** Registers a fresh HTTP/2 connection so concurrent requests share it. */
    void shareIfMultiplexed(Origin origin, ClientConnection connection) {
        if (connection.isMultiplexingSupported()) {
            multiplexed.putIfAbsent(origin, connection);
        }
    }

    int idleCount() {
        int n = 0;
        for (ArrayDeque<Idle> q : idle.values()) {
            n += q.size();
        }
        return n + multiplexed.size();
    }

    void closeAll() {
        idle.values().forEach(q -> q.forEach(i -> IoUtils.safeClose(i.connection())));
        idle.clear();
        multiplexed.values().forEach(IoUtils::safeClose);
        multiplexed.clear();
    }
}
