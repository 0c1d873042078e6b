package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.TollgatePlugin;
import java.util.concurrent.CompletableFuture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Past {@code upstream.max_connections} the client gets 503 {@code gateway_overloaded} with
 * {@code Retry-After}, and the gateway closes the connection after it, so that the descriptor comes
 * back even from a client that would keep it alive.
 */
class OverloadAnswerTest {

    private static TollgatePlugin forwardingTo(URI uri) {
        return new dev.tollgate.kernel.ForwardingProviderPlugin(uri);
    }

    @Test
    void aRequestPastTheConnectionCapIsAnswered503AndItsConnectionClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        String answer = "{\"object\":\"chat.completion\",\"choices\":[]}";
        try (RawUpstream upstream = new RawUpstream((socket, index) -> {
                    RawUpstream.readRequest(socket.getInputStream());
                    release.await(10, TimeUnit.SECONDS);
                    socket.getOutputStream().write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length()
                            + "\r\n\r\n" + answer));
                    socket.getOutputStream().flush();
                });
                KernelHarness g = KernelHarness.start("""
                        upstream:
                          max_connections: 1
                        plugins: [forward]
                        models:
                          m:
                            deployments:
                              - provider: forward
                                model: up
                        """, Map.of("forward", forwardingTo(upstream.uri("/v1/chat/completions"))))) {
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return g.post("/v1/chat/completions", KernelHarness.chat("m")).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            dev.tollgate.kernel.Eventually.await(java.time.Duration.ofSeconds(5), () -> upstream.accepted() == 1);

            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
                String body = KernelHarness.chat("m");
                s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                s.setSoTimeout(5_000);
                String response = readToEnd(s.getInputStream());

                assertThat(response).startsWith("HTTP/1.1 503");
                assertThat(response.toLowerCase()).contains("connection: close").contains("retry-after: 1");
                assertThat(response).contains("\"code\":\"gateway_overloaded\"");
            }
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        }
    }

    /** Everything until the gateway closes the connection (a read timeout fails the test). */
    private static String readToEnd(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
