package dev.tollgate.kernel.upstream;

import io.undertow.client.ClientConnection;
import io.undertow.protocols.http2.Http2Channel;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.xnio.IoUtils;

/**
 * The connections of one I/O thread, by origin: idle HTTP/1.1 keep-alive connections, and HTTP/2
 * connections with the streams running on each. Only that thread touches it, so it needs no locks;
 * a connection created on a thread is only ever used on it.
 */
final class ConnectionPools {

    /**
     * Streams allowed on an HTTP/2 connection before the server's SETTINGS are known: RFC 9113
     * recommends servers allow at least 100, so a burst on a fresh connection is not refused.
     */
    static final int STREAMS_BEFORE_SETTINGS = 100;

    private static final int NO_LIMIT = 0;

    private record Idle(ClientConnection connection, long sinceNanos) {}

    /**
     * One HTTP/2 connection, or one being opened ({@code connection == null}), and the exchanges
     * holding a stream on it (running, or waiting for the connection).
     */
    static final class Multiplexed {
        final Origin origin;
        ClientConnection connection;
        Http2Channel channel;
        /** The server's SETTINGS_MAX_CONCURRENT_STREAMS is known (a response arrived, or it said a number). */
        boolean settled;
        /** What this connection learned about the server's limit is in {@code learned}. */
        boolean told;
        int streams;
        long idleSinceNanos;
        final List<UpstreamExchange> waiting = new ArrayList<>(0);

        Multiplexed(Origin origin) {
            this.origin = origin;
        }

        boolean connecting() {
            return connection == null;
        }
    }

    private final Map<Origin, ArrayDeque<Idle>> idle = new HashMap<>();
    private final Map<Origin, List<Multiplexed>> multiplexed = new HashMap<>();
    private final Map<URI, Origin> origins = new IdentityHashMap<>();
    /** The stream limit each origin's server announced ({@link #NO_LIMIT} for none), by origin. */
    private final Map<Origin, Integer> learned = new HashMap<>();
    private final int maxIdlePerOrigin;
    private final long maxIdleNanos;
    private final int maxStreamsPerConnection;

    ConnectionPools(int maxIdlePerOrigin, long maxIdleNanos, int maxStreamsPerConnection) {
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.maxIdleNanos = maxIdleNanos;
        this.maxStreamsPerConnection = maxStreamsPerConnection;
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

    /**
     * A stream on an HTTP/2 connection to {@code origin} that has room, open or being opened, with
     * the stream already counted; {@code null} when a new connection is needed.
     */
    Multiplexed reserveStream(Origin origin, long nowNanos) {
        List<Multiplexed> list = multiplexed.get(origin);
        if (list == null) {
            return null;
        }
        for (int i = 0; i < list.size(); i++) {
            Multiplexed m = list.get(i);
            if (!m.connecting() && !m.connection.isOpen()) {
                list.remove(i--);
                continue;
            }
            if (!m.connecting() && m.streams == 0 && nowNanos - m.idleSinceNanos >= maxIdleNanos) {
                list.remove(i--);
                IoUtils.safeClose(m.connection);
                continue;
            }
            if (m.streams < limit(m)) {
                m.streams++;
                return m;
            }
        }
        return null;
    }

    /** A connection being opened to {@code origin}, with one stream counted for its opener. */
    Multiplexed connecting(Origin origin) {
        Multiplexed m = new Multiplexed(origin);
        m.streams = 1;
        multiplexed.computeIfAbsent(origin, o -> new ArrayList<>(1)).add(m);
        return m;
    }

    /** The connection of {@code m} is open: later requests may share it. */
    void connected(Multiplexed m, ClientConnection connection) {
        m.connection = connection;
    }

    /** Opening the connection of {@code m} failed; its waiters are told by the caller. */
    void connectFailed(Multiplexed m) {
        remove(m);
    }

    /**
     * Registers a fresh connection that ALPN turned into HTTP/2, so that concurrent requests share
     * it; its first stream (the caller's) is counted. {@code null} for an HTTP/1.1 connection.
     */
    Multiplexed shareIfMultiplexed(Origin origin, ClientConnection connection) {
        if (!connection.isMultiplexingSupported()) {
            return null;
        }
        Multiplexed m = connecting(origin);
        m.connection = connection;
        return m;
    }

    /** A stream on {@code m} ended (completed, failed, cancelled or reset). */
    void releaseStream(Multiplexed m, long nowNanos) {
        if (m.streams > 0 && --m.streams == 0) {
            m.idleSinceNanos = nowNanos;
            if (!m.connecting() && !m.connection.isOpen()) {
                remove(m);
            }
        }
    }

    /** The HTTP/2 channel under {@code m}'s connection, whose SETTINGS tell its stream limit. */
    void attachChannel(Multiplexed m, Http2Channel channel) {
        if (m.channel == null) {
            m.channel = channel;
        }
    }

    /**
     * A response arrived on {@code m}: the server's SETTINGS frame comes first on a connection, so
     * from now on no SETTINGS_MAX_CONCURRENT_STREAMS means no limit.
     */
    void settle(Multiplexed m) {
        m.settled = true;
    }

    private void remove(Multiplexed m) {
        List<Multiplexed> list = multiplexed.get(m.origin);
        if (list != null) {
            list.remove(m);
            if (list.isEmpty()) {
                multiplexed.remove(m.origin);
            }
        }
    }

    /**
     * The streams {@code m} may carry: the server's SETTINGS_MAX_CONCURRENT_STREAMS capped by ours;
     * for a connection whose SETTINGS are not known yet, what another connection to the same origin
     * learned, else {@value #STREAMS_BEFORE_SETTINGS}.
     */
    int limit(Multiplexed m) {
        int server = m.channel == null ? -1 : m.channel.getSendMaxConcurrentStreams();
        if (server > 0 || m.settled) {
            if (!m.told) {
                m.told = true;
                learned.put(m.origin, server > 0 ? server : NO_LIMIT);
            }
            return server > 0 ? Math.min(maxStreamsPerConnection, server) : maxStreamsPerConnection;
        }
        Integer known = learned.get(m.origin);
        if (known != null) {
            return known == NO_LIMIT ? maxStreamsPerConnection : Math.min(maxStreamsPerConnection, known);
        }
        return Math.min(maxStreamsPerConnection, STREAMS_BEFORE_SETTINGS);
    }

    /** An open HTTP/1.1 connection to {@code origin}, or {@code null} when a new one must be made. */
    ClientConnection take(Origin origin, long nowNanos) {
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

    /** Keeps an HTTP/1.1 connection whose exchange completed cleanly for the next request. */
    void release(Origin origin, ClientConnection connection, long nowNanos) {
        if (!connection.isOpen()) {
            return;
        }
        ArrayDeque<Idle> q = idle.computeIfAbsent(origin, o -> new ArrayDeque<>());
        while (!q.isEmpty() && (q.size() >= maxIdlePerOrigin || nowNanos - q.peekFirst().sinceNanos() >= maxIdleNanos)) {
            IoUtils.safeClose(q.pollFirst().connection());
        }
        q.addLast(new Idle(connection, nowNanos));
    }

    /**
     * Closes the oldest idle connection of this thread (HTTP/1.1, or HTTP/2 without streams) to
     * make room for a new one; false when there is none.
     */
    boolean evictIdle() {
        Idle oldest = null;
        ArrayDeque<Idle> from = null;
        for (ArrayDeque<Idle> q : idle.values()) {
            Idle first = q.peekFirst();
            if (first != null && (oldest == null || first.sinceNanos() - oldest.sinceNanos() < 0)) {
                oldest = first;
                from = q;
            }
        }
        if (from != null) {
            from.pollFirst();
            IoUtils.safeClose(oldest.connection());
            return true;
        }
        for (List<Multiplexed> list : multiplexed.values()) {
            for (Multiplexed m : list) {
                if (!m.connecting() && m.streams == 0) {
                    list.remove(m);
                    IoUtils.safeClose(m.connection);
                    return true;
                }
            }
        }
        return false;
    }

    int idleCount() {
        int n = 0;
        for (ArrayDeque<Idle> q : idle.values()) {
            n += q.size();
        }
        for (List<Multiplexed> list : multiplexed.values()) {
            for (Multiplexed m : list) {
                if (!m.connecting() && m.streams == 0) {
                    n++;
                }
            }
        }
        return n;
    }

    void closeAll() {
        idle.values().forEach(q -> q.forEach(i -> IoUtils.safeClose(i.connection())));
        idle.clear();
        multiplexed.values().forEach(list -> list.forEach(m -> {
            if (!m.connecting()) {
                IoUtils.safeClose(m.connection);
            }
        }));
        multiplexed.clear();
    }
}
