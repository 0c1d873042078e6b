package dev.tollgate.it.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP/1.1 upstream on a raw loopback socket that answers every request with a chunked
 * {@code text/event-stream}, one SSE event per HTTP chunk, at the times a {@link Script} says. It
 * records when each event was written and flushed, and when the gateway closed the connection
 * (a read that returns -1 or fails, or a write that fails), as {@link System#nanoTime()} values.
 */
final class RawSseUpstream implements AutoCloseable {

    /** How the response ends after its events. */
    enum Ending {
        /** A terminating zero-length chunk, then the connection is closed. */
        COMPLETE,
        /** The connection is reset (RST) without a terminating chunk. */
        RESET,
        /** Nothing: the connection stays open until the gateway closes it or the upstream is closed. */
        HOLD
    }

    /** One event, written {@code delayMillis} after the previous one (after the headers for the first). */
    record Step(long delayMillis, String data) {}

    record Script(List<Step> steps, Ending ending) {

        /** {@code n} events produced by {@code data}, {@code intervalMillis} apart. */
        static Script paced(int n, long intervalMillis, java.util.function.IntFunction<String> data, Ending ending) {
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                steps.add(new Step(i == 0 ? 0 : intervalMillis, data.apply(i)));
            }
            return new Script(steps, ending);
        }
    }

    /** What happened on one accepted connection. */
    static final class Exchange {
        final long acceptedNanos = System.nanoTime();
        volatile String requestHead = "";
        volatile String requestBody = "";
        final List<Long> sentNanos = new CopyOnWriteArrayList<>();
        private volatile long closedByPeerNanos = -1;
        private volatile boolean closedBySelf;

        /** When the gateway's side was seen closed, or -1 while it was not. */
        long closedByPeerNanos() {
            return closedByPeerNanos;
        }

        boolean closedByPeer() {
            return closedByPeerNanos >= 0;
        }

        private synchronized void peerClosed() {
            if (closedByPeerNanos < 0 && !closedBySelf) {
                closedByPeerNanos = System.nanoTime();
            }
        }

        /** Waits up to {@code timeout} for the gateway to close the connection. */
        boolean awaitPeerClose(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!closedByPeer() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            return closedByPeer();
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final BlockingQueue<Exchange> accepted = new LinkedBlockingQueue<>();
    private final List<Exchange> all = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    RawSseUpstream(Script script) {
        this.script = script;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(this::acceptLoop, "raw-sse-upstream-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String apiBase() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** The next connection the gateway made, waiting up to {@code timeout}. */
    Exchange nextExchange(Duration timeout) throws InterruptedException {
        Exchange e = accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("the gateway made no request to the raw upstream within " + timeout.toMillis() + " ms");
        }
        return e;
    }

    List<Exchange> exchanges() {
        return List.copyOf(all);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "raw-sse-exchange-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    // accept failed for one connection; keep serving
                    continue;
                }
                return;
            }
        }
    }

    private void serve(Socket s) {
        Exchange ex = new Exchange();
        try (s) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            if (!readRequest(in, ex)) {
                return;
            }
            all.add(ex);
            accepted.add(ex);
            Thread watcher = new Thread(() -> watch(s, in, ex), "raw-sse-watch-" + s.getPort());
            watcher.setDaemon(true);
            watcher.start();

            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long due = System.nanoTime();
            for (Step step : script.steps()) {
                due += TimeUnit.MILLISECONDS.toNanos(step.delayMillis());
                if (!sleepUntil(due, ex)) {
                    return;
                }
                byte[] event = ("data: " + step.data() + "\n\n").getBytes(StandardCharsets.UTF_8);
                try {
                    out.write((Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(event);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException writeFailed) {
                    ex.peerClosed();
                    return;
                }
                ex.sentNanos.add(System.nanoTime());
            }
            switch (script.ending()) {
                case COMPLETE -> {
                    ex.closedBySelf = true;
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                case RESET -> {
                    // let the gateway read what was sent before the RST can discard it
                    Thread.sleep(100);
                    ex.closedBySelf = true;
                    s.setSoLinger(true, 0);
                }
                case HOLD -> {
                    while (!closed && !ex.closedByPeer()) {
                        Thread.sleep(10);
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the exchange is over either way
        }
    }

    /** Sleeps until {@code due}; false when the gateway closed the connection meanwhile. */
    private boolean sleepUntil(long due, Exchange ex) throws InterruptedException {
        while (true) {
            if (ex.closedByPeer() || closed) {
                return false;
            }
            long left = due - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            Thread.sleep(Math.min(5, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    /** Reads the rest of the connection: the gateway sends nothing more, so any end of it is a close. */
    private void watch(Socket s, InputStream in, Exchange ex) {
        try {
            s.setSoTimeout(50);
        } catch (SocketException e) {
            ex.peerClosed();
            return;
        }
        byte[] buf = new byte[512];
        while (!closed && !ex.closedBySelf) {
            try {
                if (in.read(buf) < 0) {
                    ex.peerClosed();
                    return;
                }
            } catch (SocketTimeoutException timeout) {
                // nothing yet
            } catch (IOException e) {
                ex.peerClosed();
                return;
            }
        }
    }

    private static boolean readRequest(InputStream in, Exchange ex) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        ex.requestHead = h;
        int length = 0;
        for (String line : h.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        ex.requestBody = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        synchronized (sockets) {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
