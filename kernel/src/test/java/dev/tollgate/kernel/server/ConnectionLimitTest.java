package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Past {@code max_connections} a client gets a clear 503, the refusal is counted, and a freed slot serves again. */
class ConnectionLimitTest {

    @Test
    void countsEveryClosedConnectionOnce() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel("""
                server:
                  max_connections: 3
                """, Map.of())) {
            for (String request : List.of("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9999999\r\n\r\n{",
                    "GET /health/live HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n")) {
                for (int i = 0; i < 5; i++) {
                    assertThat(RawHttp.statuses(RawHttp.exchange(g.port(), request))).hasSize(1);
                }
            }
            try (Socket silent = RawHttp.connect(g.port())) {
                silent.setSoTimeout(100);
            }
            Eventually.await(Duration.ofSeconds(5), () -> openConnections(g) == 1);
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = RawHttp.connect(g.port());
                    held.add(s);
                    // answered, so surely accepted and counted (accepting is asynchronous to connecting)
                    s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
                }
                assertThat(RawHttp.statuses(RawHttp.exchange(g.port(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")))
                        .as("the cap of 3 holds: the count came back to exactly the connections open").containsExactly(503);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /** Open connections as /metrics counts them, its own included. */
    private static long openConnections(KernelHarness g) {
        try {
            String metrics = RawHttp.exchange(g.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^tollgate_server_connections (-?\\d+)$").matcher(metrics);
            return m.find() ? Long.parseLong(m.group(1)) : Long.MIN_VALUE;
        } catch (java.io.IOException e) {
            return Long.MIN_VALUE;
        }
    }

    @Test
    void refusesConnectionsOverTheCapWith503JsonAndCountsThem() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel("""
                server:
                  max_connections: 4
                """, Map.of())) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = RawHttp.connect(g.port());
                    open.add(s);
                    s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
                }
                String refused = RawHttp.exchange(g.port(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(RawHttp.statuses(refused)).containsExactly(503);
                assertThat(refused).contains("\"code\":\"too_many_connections\"").contains("\"type\":\"api_error\"")
                        .contains("Retry-After: 1").contains("Connection: close");
                open.remove(0).close();
                // the freed slot serves again, and /metrics shows the refusal
                Eventually.await(Duration.ofSeconds(5), () -> {
                    try {
                        String metrics = RawHttp.exchange(g.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                        return RawHttp.statuses(metrics).equals(List.of(200))
                                && metrics.matches("(?s).*\ntollgate_server_connections_refused_total [1-9].*");
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
