package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientHangUpTest {

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void aClientThatHangsUpBeforeAnyAnswerEndsItsRequest(boolean stream) throws Exception {
        try (KernelHarness g = KernelHarness.start("""
                plugins: [fake]
                models:
                  slow:
                    deployments:
                      - provider: fake
                        model: up
                        config: {delay_ms: 10000}
                """, Map.of("fake", new dev.tollgate.kernel.FakeProviderPlugin()))) {
            String body = "{\"model\":\"slow\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            try (Socket s = new Socket("127.0.0.1", g.port())) {
                s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Eventually.await(Duration.ofSeconds(2), () -> g.gateway().inFlight() == 1);
            }
            long closed = System.nanoTime();
            Eventually.await(Duration.ofSeconds(2), () -> g.gateway().inFlight() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(Duration.ofSeconds(1));
        }
    }
}
