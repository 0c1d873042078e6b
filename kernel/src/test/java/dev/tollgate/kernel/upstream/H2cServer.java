package dev.tollgate.kernel.upstream;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * An Undertow server that speaks HTTP/2 with prior knowledge on a clear-text listener. It records
 * the client port of every request (one port per TCP connection) and the protocol it arrived in.
 * {@code /chat} answers JSON at once; {@code /held/<id>} sends its headers and a first event, then
 * holds the stream until {@link #release} sends the last event and ends it.
 */
final class H2cServer implements AutoCloseable {

    /** A held stream, written to its response channel and flushed event by event. */
    static final class Held {
        final String id;
        final int clientPort;
        final HttpServerExchange exchange;
        private final StreamSinkChannel channel;
        volatile boolean writeFailed;

        Held(String id, HttpServerExchange exchange) {
            this.id = id;
            this.exchange = exchange;
            this.clientPort = exchange.getSourceAddress().getPort();
            this.channel = exchange.getResponseChannel();
        }

        /** Writes and flushes {@code text}; with {@code last}, ends the response after it. */
        void write(String text, boolean last) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            ChannelListener<StreamSinkChannel> step = new ChannelListener<>() {
                @Override
                public void handleEvent(StreamSinkChannel ch) {
                    try {
                        while (b.hasRemaining()) {
                            if (ch.write(b) == 0) {
                                ch.resumeWrites();
                                return;
                            }
                        }
                        if (last) {
                            ch.shutdownWrites();
                        }
                        if (!ch.flush()) {
                            ch.resumeWrites();
                            return;
                        }
                        ch.suspendWrites();
                        if (last) {
                            exchange.endExchange();
                        }
                    } catch (IOException e) {
                        writeFailed = true;
                        IoUtils.safeClose(ch);
                    }
                }
            };
            channel.getWriteSetter().set(step);
            step.handleEvent(channel);
        }
    }

    private final Undertow server;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final List<String> protocols = new CopyOnWriteArrayList<>();
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> heldPerConnection = new ConcurrentHashMap<>();
    private final AtomicInteger maxHeldOnOneConnection = new AtomicInteger();

    /** @param maxConcurrentStreams advertised SETTINGS_MAX_CONCURRENT_STREAMS, or -1 for none */
    H2cServer(int maxConcurrentStreams) {
        Undertow.Builder b = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(1)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setHandler(this::handle);
        if (maxConcurrentStreams > 0) {
            b.setServerOption(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, maxConcurrentStreams);
        }
        server = b.build();
        server.start();
    }

    int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    java.net.URI uri(String path) {
        return java.net.URI.create("http://127.0.0.1:" + port() + path);
    }

    /** TCP connections that carried at least one request. */
    int connections() {
        return clientPorts.size();
    }

    List<String> protocols() {
        return List.copyOf(protocols);
    }

    int heldCount() {
        return held.size();
    }

    int maxHeldOnOneConnection() {
        return maxHeldOnOneConnection.get();
    }

    Held held(String id) {
        return held.get(id);
    }

    private void handle(HttpServerExchange ex) {
        clientPorts.add(ex.getSourceAddress().getPort());
        protocols.add(ex.getProtocol().toString());
        String path = ex.getRequestPath();
        if (path.equals("/chat")) {
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            ex.getResponseSender().send("{\"ok\":true}");
            return;
        }
        if (path.startsWith("/held/")) {
            String id = path.substring(6);
            ex.dispatch(SameThreadExecutor.INSTANCE, () -> {
                ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
                Held h = new Held(id, ex);
                int port = h.clientPort;
                int now = heldPerConnection.computeIfAbsent(port, p -> new AtomicInteger()).incrementAndGet();
                maxHeldOnOneConnection.accumulateAndGet(now, Math::max);
                ex.addExchangeCompleteListener((done, next) -> {
                    heldPerConnection.get(port).decrementAndGet();
                    next.proceed();
                });
                held.put(id, h);
                h.write("data: first " + id + "\n\n", false);
            });
            return;
        }
        ex.setStatusCode(404);
        ex.endExchange();
    }

    /** Sends the last event of held stream {@code id} and ends it. */
    void release(String id) {
        Held h = held.get(id);
        h.exchange.getIoThread().execute(() -> h.write("data: last " + id + "\n\n", true));
    }

    @Override
    public void close() {
        server.stop();
    }
}
