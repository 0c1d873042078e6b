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
                Eventually.await(Duration.ofSeconds(5), () -> {
                    try {
                        return RawHttp.statuses(RawHttp.exchange(g.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                                .equals(List.of(200));
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
                String metrics = RawHttp.exchange(g.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(metrics).containsPattern("(?m)^tollgate_server_connections_refused_total [1-9]");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
