package dev.tollgate.it.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.it.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * provider-openai's {@code timeout} bounds a whole exchange: an upstream that drips one byte a second
 * satisfies the 10 s {@code read_timeout} forever, and is cut at the 2 s total limit instead, for a
 * buffered answer and for a stream.
 *
 * <p>The gateway runs both paths once with a short limit first, so that the measured requests do not
 * include class loading. The elapsed times are then checked against the limit plus one second: the
 * deadline sweep runs every 50 ms, and this machine's two cores are shared with other builds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TotalTimeoutTest {

    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofSeconds(1);

    private static DrippingUpstream json;
    private static DrippingUpstream sse;
    private static TestGateway gateway;

    /** Answers every request with chunked headers and a first chunk, then one more chunk every second until the gateway closes. */
    private static final class DrippingUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicInteger closedByGateway = new AtomicInteger();

        DrippingUpstream(String contentType, String first, String piece) throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        Thread.ofVirtual().start(() -> drip(s, contentType, first, piece));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void drip(Socket s, String contentType, String first, String piece) {
            try (s) {
                readRequest(s.getInputStream());
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunk(first)).getBytes(StandardCharsets.UTF_8));
                out.flush();
                while (true) {
                    Thread.sleep(1000);
                    out.write(chunk(piece).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                closedByGateway.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String apiBase() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
        }

        /** Waits until {@code n} connections were closed by the gateway. */
        boolean awaitClosed(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (closedByGateway.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return closedByGateway.get() >= n;
        }

        private static String chunk(String s) {
            return Integer.toHexString(s.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + s + "\r\n";
        }

        private static void readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                head.append((char) b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(line.substring(15).trim()));
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static String model(String name, String apiBase, String timeout) {
        return """
                  %s:
                    deployments:
                      - provider: openai
                        model: drip-upstream
                        config:
                          api_base: %s
                          api_key: ${env:UPSTREAM_KEY}
                          read_timeout: 10s
                          timeout: %s
                """.formatted(name, apiBase, timeout);
    }

    @BeforeAll
    static void start() throws IOException {
        json = new DrippingUpstream("application/json", "{", " ");
        sse = new DrippingUpstream("text/event-stream", "data: " + Upstreams.contentChunk("drip-upstream", "a") + "\n\n", ":\n");
        gateway = TestGateway.start("plugins: [provider-openai]\nmodels:\n"
                + model("drip-json", json.apiBase(), "2s") + model("drip-sse", sse.apiBase(), "2s")
                + model("warm-json", json.apiBase(), "200ms") + model("warm-sse", sse.apiBase(), "200ms"),
                Map.of("UPSTREAM_KEY", Upstreams.KEY));
        assertThat(Upstreams.chat(gateway, "warm-json", false).statusCode()).isEqualTo(504);
        assertThat(Upstreams.chat(gateway, "warm-sse", true).body()).contains("upstream_timeout");
    }

    @AfterAll
    static void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (json != null) {
            json.close();
        }
        if (sse != null) {
            sse.close();
        }
    }

    @Test
    void aBufferedAnswerThatDripsEndsWith504AtTheTotalLimit() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = Upstreams.chat(gateway, "drip-json", false);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("buffered answer cut after %d ms (limit %d ms)%n", took.toMillis(), LIMIT.toMillis());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
        JsonNode error = Upstreams.assertOpenAiError(r.body());
        assertThat(error.path("code").asText()).isEqualTo("upstream_timeout");
        assertThat(error.path("message").asText()).contains("total time limit").contains("(2000 ms)");
        assertThat(took).isGreaterThanOrEqualTo(LIMIT).isLessThan(LIMIT.plus(MARGIN));
        assertThat(json.awaitClosed(2)).as("the gateway closed the upstream connection").isTrue();
    }

    @Test
    void aStreamThatDripsEndsWithAnErrorEventAtTheTotalLimit() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = Upstreams.chat(gateway, "drip-sse", true);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("stream cut after %d ms (limit %d ms)%n", took.toMillis(), LIMIT.toMillis());

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = Upstreams.sseData(r.body());
        assertThat(Upstreams.deltaContent(Upstreams.parse(events.getFirst()))).isEqualTo("a");
        JsonNode error = Upstreams.parse(events.getLast()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_timeout");
        assertThat(error.path("message").asText()).contains("total time limit");
        assertThat(took).isGreaterThanOrEqualTo(LIMIT).isLessThan(LIMIT.plus(MARGIN));
        assertThat(sse.awaitClosed(2)).as("the gateway closed the upstream connection").isTrue();
    }
}
