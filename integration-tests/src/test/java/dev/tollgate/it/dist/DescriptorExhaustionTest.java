package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway process started with {@code ulimit -n 300}, in front of an upstream that holds every
 * stream open: more streams than the descriptors can carry over HTTP/1.1 (two sockets each). Each
 * client must get an answer, a stream or an error status, and none may wait unanswered.
 *
 * <p>Before the fix the last upstream connection could take the last descriptor; clients after it
 * were never accepted (XNIO backs off and retries the accept while nothing frees a descriptor) and
 * waited in the listen backlog until a running stream ended. The descriptors left are made even
 * before the streams start, so that the table would fill exactly on an upstream connect.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DescriptorExhaustionTest {

    private static final int LIMIT = 300;
    private static final int BURST = 30;

    @TempDir
    Path dir;

    @Test
    void everyStreamIsAnsweredWhenTheGatewayRunsOutOfDescriptors() throws Exception {
        try (HoldingUpstream upstream = new HoldingUpstream()) {
            int port = Dist.freePort();
            Path config = dir.resolve("tollgate.yaml");
            Files.writeString(config, """
                    server:
                      host: 127.0.0.1
                    plugins: [provider-openai]
                    models:
                      held:
                        deployments:
                          - provider: openai
                            model: held-upstream
                            config:
                              api_base: http://127.0.0.1:%d/v1
                              auth: none
                              read_timeout: 120s
                    """.formatted(upstream.port()));
            List<RawClientStream> clients = new ArrayList<>();
            try (GatewayProcess g = GatewayProcess.startWithOpenFileLimit(dir, Map.of(), LIMIT, "--config", config.toString(),
                    "--port", String.valueOf(port))) {
                g.awaitReady(port, Duration.ofSeconds(30));
                try (RawClientStream warm = new RawClientStream(port, "held", "warm")) {
                    assertThat(warm.awaitAnswer(Duration.ofSeconds(15))).as("warm-up stream").isTrue();
                    assertThat(warm.status()).isEqualTo(200);
                }
                int free = LIMIT - settledDescriptors(g.pid());
                if (free % 2 == 1) {
                    clients.add(new RawClientStream(port, "held", "idle, never read"));
                }

                // one stream after the other until the gateway stops opening upstream streams
                for (int i = 0; i < LIMIT; i++) {
                    RawClientStream c = new RawClientStream(port, "held", "hold " + i);
                    clients.add(c);
                    boolean answered = c.awaitAnswer(Duration.ofSeconds(5));
                    assertThat(answered).as("stream %d got no answer within 5 s; gateway output:%n%s", i, g.output()).isTrue();
                    if (!c.streaming()) {
                        break;
                    }
                }
                long streaming = clients.stream().filter(RawClientStream::streaming).count();
                assertThat(streaming).as("streams held open").isGreaterThan(50);
                assertRefused(clients.getLast());

                // then a burst of clients at once
                List<RawClientStream> burst = new CopyOnWriteArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Boolean>> answers = new ArrayList<>();
                    for (int i = 0; i < BURST; i++) {
                        int n = i;
                        answers.add(pool.submit(() -> {
                            RawClientStream c = new RawClientStream(port, "held", "burst " + n);
                            burst.add(c);
                            return c.awaitAnswer(Duration.ofSeconds(20));
                        }));
                    }
                    for (Future<Boolean> a : answers) {
                        assertThat(a.get()).as("a client of the burst got no answer within 20 s; %s; %d descriptors open;"
                                + " gateway output:%n%s", burst, openDescriptors(g.pid()), g.output()).isTrue();
                    }
                }
                for (RawClientStream c : burst) {
                    if (!c.streaming()) {
                        assertRefused(c);
                    }
                    c.close();
                }
                assertThat(g.process().isAlive()).isTrue();
            } finally {
                for (RawClientStream c : clients) {
                    c.close();
                }
            }
        }
    }

    private static void assertRefused(RawClientStream c) {
        assertThat(c.status()).as("a refused stream: %s", c).isIn(502, 503);
        JsonNode error = Dist.json(c.errorBody()).path("error");
        assertThat(error.path("code").asText()).as("a refused stream: %s", c).isIn("gateway_overloaded", "upstream_unreachable");
        assertThat(error.path("message").asText()).isNotBlank();
    }

    /** The process's open descriptors once three readings 50 ms apart agree (the warm-up's sockets are closed). */
    private static int settledDescriptors(long pid) throws IOException, InterruptedException {
        int last = -1;
        int same = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (same < 3 && System.nanoTime() < deadline) {
            int now = openDescriptors(pid);
            same = now == last ? same + 1 : 1;
            last = now;
            Thread.sleep(50);
        }
        return last;
    }

    private static int openDescriptors(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) fds.count();
        }
    }

    /**
     * Answers a request whose body says {@code warm} with a whole stream and closes; every other
     * request gets its headers and one event, then the stream stays open until the gateway closes it.
     */
    private static final class HoldingUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        HoldingUpstream() throws IOException {
            server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                String request = readRequest(in);
                OutputStream out = s.getOutputStream();
                String event = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"held-upstream\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";
                if (request.contains("warm")) {
                    String body = event + "data: [DONE]\n\n";
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\nContent-Length: "
                            + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    return;
                }
                String chunk = Integer.toHexString(event.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + event + "\r\n";
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk)
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                while (in.read() >= 0) {
                    // held until the gateway closes it
                }
            } catch (IOException e) {
                // the stream is over either way
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before the request");
                }
                head.append((char) b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
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
