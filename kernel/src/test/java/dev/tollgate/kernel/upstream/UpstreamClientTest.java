package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

class UpstreamClientTest {

    private XnioWorker worker;
    private UpstreamClient client;
    private ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();

    /** How the test upstream behaves per request. */
    enum Mode { KEEP_ALIVE, CLOSE_AFTER_EACH_SILENTLY, NEVER_ANSWER, STALL_MID_BODY, HEADERS_THEN_WATCH }

    private volatile Mode mode = Mode.KEEP_ALIVE;
    private final CompletableFuture<Long> closedAfterNanos = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        client = new UpstreamClient(worker, null, 8, 30_000);
        server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::serve);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        client.close();
        worker.shutdownNow();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> handle(s));
            } catch (Exception e) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                int length = 0;
                while (!(line = in.readLine()).isEmpty()) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                for (int read = 0; read < length; read++) {
                    if (in.read() < 0) {
                        return;
                    }
                }
                switch (mode) {
                    case NEVER_ANSWER -> Thread.sleep(5_000);
                    case HEADERS_THEN_WATCH -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        s.setSoTimeout(5_000);
                        long start = System.nanoTime();
                        if (s.getInputStream().read() < 0) {
                            closedAfterNanos.complete(System.nanoTime() - start);
                        }
                        return;
                    }
                    case STALL_MID_BODY -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(5_000);
                    }
                    default -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        if (mode == Mode.CLOSE_AFTER_EACH_SILENTLY) {
                            return;
                        }
                    }
                }
            }
        } catch (Exception ignored) {
            // the test decides what happens to the connection
        }
    }

    private UpstreamResponse send(int port, Duration responseTimeout, Duration idleTimeout) throws Exception {
        UpstreamRequest request = UpstreamRequest.postJson(URI.create("http://127.0.0.1:" + port + "/v1/x"), Headers.EMPTY,
                Bytes.utf8("{\"q\":1}")).withTimeouts(Duration.ofSeconds(2), responseTimeout, idleTimeout);
        XnioIoThread thread = worker.getIoThread(0);
        CompletableFuture<UpstreamResponse> out = new CompletableFuture<>();
        thread.execute(() -> client.send(thread, request, null).whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        }));
        return out.get(10, TimeUnit.SECONDS);
    }

    @Test
    void reusesOneKeepAliveConnectionForSequentialRequests() throws Exception {
        for (int i = 0; i < 20; i++) {
            UpstreamResponse r = send(server.getLocalPort(), Duration.ofSeconds(2), Duration.ofSeconds(2));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().utf8()).isEqualTo("{\"ok\":true}");
        }
        assertThat(accepted.get()).isEqualTo(1);
    }

    @Test
    void retriesOnceOnAFreshConnectionWhenThePooledOneWasClosedByTheUpstream() throws Exception {
        mode = Mode.CLOSE_AFTER_EACH_SILENTLY;
        for (int i = 0; i < 10; i++) {
            assertThat(send(server.getLocalPort(), Duration.ofSeconds(2), Duration.ofSeconds(2)).status()).isEqualTo(200);
        }
        assertThat(accepted.get()).isGreaterThanOrEqualTo(10);
    }

    @Test
    void cancellingAStreamedExchangeClosesTheUpstreamConnectionAtOnce() throws Exception {
        mode = Mode.HEADERS_THEN_WATCH;
        UpstreamRequest request = UpstreamRequest.postJson(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/x"),
                Headers.EMPTY, Bytes.utf8("{}"));
        XnioIoThread thread = worker.getIoThread(0);
        CompletableFuture<Integer> headers = new CompletableFuture<>();
        UpstreamClient.Handle[] handle = new UpstreamClient.Handle[1];
        thread.execute(() -> handle[0] = client.exchange(thread, request, new dev.tollgate.spi.http.ResponseHandler() {
            @Override
            public void onHeaders(int status, Headers h) {
                headers.complete(status);
            }

            @Override
            public void onBody(java.nio.ByteBuffer chunk) {}

            @Override
            public void onComplete() {}

            @Override
            public void onError(GatewayException error) {}
        }));
        assertThat(headers.get(5, TimeUnit.SECONDS)).isEqualTo(200);
        thread.execute(() -> handle[0].cancel());
        assertThat(Duration.ofNanos(closedAfterNanos.get(5, TimeUnit.SECONDS))).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aSilentUpstreamIsA504AfterTheResponseTimeout() {
        mode = Mode.NEVER_ANSWER;
        long start = System.nanoTime();
        GatewayException e = failure(() -> send(server.getLocalPort(), Duration.ofMillis(300), Duration.ofSeconds(2)));
        assertThat(e.status()).isEqualTo(504);
        assertThat(e.code()).isEqualTo("upstream_timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void anUpstreamThatStallsMidBodyIsA504AfterTheIdleTimeout() {
        mode = Mode.STALL_MID_BODY;
        GatewayException e = failure(() -> send(server.getLocalPort(), Duration.ofSeconds(2), Duration.ofMillis(300)));
        assertThat(e.status()).isEqualTo(504);
        assertThat(e.getMessage()).contains("stopped sending");
    }

    @Test
    void aRefusedConnectionIsA502NamingOnlyTheOrigin() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        GatewayException e = failure(() -> send(closedPort, Duration.ofSeconds(2), Duration.ofSeconds(2)));
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("upstream_unreachable");
        assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort).doesNotContain("/v1/x");
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static GatewayException failure(Call call) {
        try {
            call.run();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(GatewayException.class);
            return (GatewayException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }
}
