package dev.tollgate.bench.stub;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.Protocols;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.Options;
import org.xnio.channels.StreamSinkChannel;

/**
 * An OpenAI-like upstream that costs as little as possible: everything runs on the IO threads, answers are
 * prebuilt bytes, streams are paced with the IO thread's timer (never a sleep).
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: a fixed ~600 B JSON answer; with {@code "stream":true} in the body an
 *       SSE stream of N content events I ms apart, then a finish event, a usage event and {@code data: [DONE]}.
 *       N and I come from the query parameters {@code events} and {@code interval_ms}, else the defaults.</li>
 *   <li>{@code POST /hold/v1/chat/completions}: the same with the "hold" defaults (long, slow streams), so a
 *       gateway whose {@code api_base} ends in {@code /hold/v1} gets long streams without query parameters.</li>
 *   <li>{@code POST /v1/embeddings} (also under {@code /hold}): a fixed embedding answer.</li>
 *   <li>{@code GET /health}: 200.</li>
 * </ul>
 *
 * <p>The listener speaks HTTP/1.1 and HTTP/2 with prior knowledge (h2c): a client that opens with the
 * HTTP/2 preface gets HTTP/2, so a gateway can carry many streams on one connection.
 */
public final class UpstreamStub implements AutoCloseable {

    /** Stub settings; see {@link #main} for the command line. */
    public record Config(String host, int port, int ioThreads, int streamEvents, int streamIntervalMs,
                         int holdEvents, int holdIntervalMs) {
        public static Config defaults() {
            return new Config("127.0.0.1", 0, 1, 20, 5, 30, 1000);
        }

        public Config withPort(int p) {
            return new Config(host, p, ioThreads, streamEvents, streamIntervalMs, holdEvents, holdIntervalMs);
        }

        public Config withHold(int events, int intervalMs) {
            return new Config(host, port, ioThreads, streamEvents, streamIntervalMs, events, intervalMs);
        }
    }

    private static final ByteBuffer CHAT = StubBodies.direct(StubBodies.CHAT);
    private static final ByteBuffer EMBEDDINGS = StubBodies.direct(StubBodies.EMBEDDINGS);
    private static final ByteBuffer HEALTH = StubBodies.direct(StubBodies.HEALTH);
    private static final ByteBuffer FIRST = StubBodies.direct(StubBodies.FIRST_CHUNK);
    private static final ByteBuffer CONTENT = StubBodies.direct(StubBodies.CONTENT_CHUNK);
    private static final ByteBuffer TAIL = StubBodies.direct(concat(StubBodies.FINISH_CHUNK, StubBodies.USAGE_CHUNK,
            StubBodies.DONE));
    private static final String JSON = "application/json";
    private static final String SSE = "text/event-stream";

    private final Config config;
    private final Undertow server;
    private final int port;

    private UpstreamStub(Config config) {
        this.config = config;
        this.server = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setIoThreads(Math.max(1, config.ioThreads()))
                .setWorkerThreads(1) // never used: nothing is dispatched off the IO threads
                .setSocketOption(Options.BACKLOG, 16384)
                .setSocketOption(Options.TCP_NODELAY, true)
                .setSocketOption(Options.REUSE_ADDRESSES, true)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setHandler(new Handler())
                .build();
        server.start();
        this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    public static UpstreamStub start(Config config) {
        return new UpstreamStub(config);
    }

    public int port() {
        return port;
    }

    public Config config() {
        return config;
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Handler implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange ex) {
            String path = ex.getRequestPath();
            boolean hold = path.startsWith("/hold/");
            if (hold) path = path.substring(5);
            boolean post = ex.getRequestMethod().equals(Methods.POST);
            switch (path) {
                case "/v1/chat/completions" -> {
                    if (!post) { status(ex, StatusCodes.METHOD_NOT_ALLOWED); return; }
                    final boolean isHold = hold;
                    ex.getRequestReceiver().receiveFullBytes(
                            (e, body) -> chat(e, body, isHold),
                            (e, err) -> { IoUtils.safeClose(e.getConnection()); });
                }
                case "/v1/embeddings" -> {
                    if (!post) { status(ex, StatusCodes.METHOD_NOT_ALLOWED); return; }
                    ex.getRequestReceiver().receiveFullBytes(
                            (e, body) -> send(e, JSON, EMBEDDINGS),
                            (e, err) -> { IoUtils.safeClose(e.getConnection()); });
                }
                case "/health", "/health/ready" -> send(ex, JSON, HEALTH);
                default -> status(ex, StatusCodes.NOT_FOUND);
            }
        }
    }

    private void chat(HttpServerExchange ex, byte[] body, boolean hold) {
        if (!isStream(body)) {
            send(ex, JSON, CHAT);
            return;
        }
        int events = queryInt(ex, "events", hold ? config.holdEvents() : config.streamEvents());
        int interval = queryInt(ex, "interval_ms", hold ? config.holdIntervalMs() : config.streamIntervalMs());
        ex.setStatusCode(200);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, SSE);
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        Stream s = new Stream(ex, Math.max(1, events), Math.max(0, interval));
        // keeps the exchange open after the current call (the handler, or the receive callback it
        // dispatched: HTTP/2 bodies arrive in a frame of their own); outside a call it runs at once
        ex.dispatch(SameThreadExecutor.INSTANCE, s);
    }

    private static void send(HttpServerExchange ex, String contentType, ByteBuffer body) {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        ex.getResponseSender().send(body.duplicate());
    }

    private static void status(HttpServerExchange ex, int code) {
        ex.setStatusCode(code);
        ex.endExchange();
    }

    private static int queryInt(HttpServerExchange ex, String name, int dflt) {
        Deque<String> v = ex.getQueryParameters().get(name);
        if (v == null || v.isEmpty()) return dflt;
        try {
            return Integer.parseInt(v.getFirst());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** True when the JSON body has {@code "stream"} set to {@code true} (whitespace tolerated). */
    static boolean isStream(byte[] b) {
        outer:
        for (int i = 0; i + 8 <= b.length; i++) {
            if (b[i] != '"' || b[i + 1] != 's') continue;
            byte[] key = {'"', 's', 't', 'r', 'e', 'a', 'm', '"'};
            for (int k = 0; k < key.length; k++) {
                if (b[i + k] != key[k]) continue outer;
            }
            int j = i + key.length;
            while (j < b.length && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r')) j++;
            if (j >= b.length || b[j] != ':') continue;
            j++;
            while (j < b.length && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r')) j++;
            return j + 4 <= b.length && b[j] == 't' && b[j + 1] == 'r' && b[j + 2] == 'u' && b[j + 3] == 'e';
        }
        return false;
    }

    /** One SSE stream: writes an event, flushes, schedules the next on the IO thread's timer. */
    private static final class Stream implements Runnable, ChannelListener<StreamSinkChannel> {
        private final HttpServerExchange ex;
        private final int events;
        private final int intervalMs;
        private StreamSinkChannel ch;
        private ByteBuffer current;
        private int sent;      // content events written
        private boolean tail;  // finish + usage + [DONE] written

        Stream(HttpServerExchange ex, int events, int intervalMs) {
            this.ex = ex;
            this.events = events;
            this.intervalMs = intervalMs;
        }

        @Override
        public void run() {
            if (ch == null) ch = ex.getResponseChannel();
            if (sent == 0) {
                current = FIRST.duplicate();
            } else if (sent < events) {
                current = CONTENT.duplicate();
            } else {
                current = TAIL.duplicate();
                tail = true;
            }
            sent++;
            write();
        }

        @Override
        public void handleEvent(StreamSinkChannel channel) {
            write();
        }

        private void write() {
            try {
                while (current.hasRemaining()) {
                    if (ch.write(current) == 0) {
                        waitWritable();
                        return;
                    }
                }
                if (!ch.flush()) {
                    waitWritable();
                    return;
                }
                ch.suspendWrites();
                if (tail) {
                    finish();
                } else if (sent < events) {
                    ex.getIoThread().executeAfter(this, intervalMs, TimeUnit.MILLISECONDS);
                } else {
                    run(); // the tail follows the last content event at once
                }
            } catch (IOException e) {
                abort();
            }
        }

        /** A failed stream (the client reset or left): on HTTP/2 only this stream ends, not its connection. */
        private void abort() {
            if (Protocols.HTTP_2_0.equals(ex.getProtocol())) {
                IoUtils.safeClose(ch);
            } else {
                IoUtils.safeClose(ex.getConnection());
            }
        }

        private void waitWritable() {
            ch.getWriteSetter().set(this);
            ch.resumeWrites();
        }

        private void finish() throws IOException {
            ch.shutdownWrites();
            if (!ch.flush()) {
                ch.getWriteSetter().set(c -> {
                    try {
                        if (c.flush()) {
                            c.suspendWrites();
                            ex.endExchange();
                        }
                    } catch (IOException e) {
                        abort();
                    }
                });
                ch.resumeWrites();
                return;
            }
            ex.endExchange();
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /**
     * {@code --port P} (0 = any free), {@code --host H}, {@code --io-threads N}, {@code --stream-events N},
     * {@code --stream-interval-ms I}, {@code --hold-events N}, {@code --hold-interval-ms I}. Prints
     * {@code STUB READY port=P} when listening and runs until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        Config c = Config.defaults();
        String host = c.host();
        int port = 8090, io = c.ioThreads(), se = c.streamEvents(), si = c.streamIntervalMs();
        int he = c.holdEvents(), hi = c.holdIntervalMs();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--port" -> { port = Integer.parseInt(v); i++; }
                case "--host" -> { host = v; i++; }
                case "--io-threads" -> { io = Integer.parseInt(v); i++; }
                case "--stream-events" -> { se = Integer.parseInt(v); i++; }
                case "--stream-interval-ms" -> { si = Integer.parseInt(v); i++; }
                case "--hold-events" -> { he = Integer.parseInt(v); i++; }
                case "--hold-interval-ms" -> { hi = Integer.parseInt(v); i++; }
                case "-h", "--help" -> {
                    System.out.println("UpstreamStub [--port 8090] [--host 127.0.0.1] [--io-threads 1] "
                            + "[--stream-events 20] [--stream-interval-ms 5] [--hold-events 30] [--hold-interval-ms 1000]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        UpstreamStub stub = start(new Config(host, port, io, se, si, he, hi));
        System.out.println("STUB READY port=" + stub.port());
        System.out.flush();
        CountDownLatch never = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stub::close));
        never.await();
    }
}
