package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /** A provider whose every chat is one buffered call to {@code uri}. */
    private static TollgatePlugin forwardingTo(URI uri) {
        return new TollgatePlugin() {
            @Override
            public List<ProviderFactory> providers() {
                return List.of(new ProviderFactory() {
                    @Override
                    public String name() {
                        return "forward";
                    }

                    @Override
                    public ProviderAdapter create(PluginConfig config, PluginContext context) {
                        return new ProviderAdapter() {
                            @Override
                            public Set<WireFormat> nativeFormats() {
                                return Set.of(WireFormat.OPENAI_CHAT);
                            }

                            @Override
                            public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
                                call.http().send(UpstreamRequest.postJson(uri, Headers.EMPTY, request.nativeBody().orElseThrow()))
                                        .whenComplete((r, e) -> {
                                            if (e != null) {
                                                Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                                                sink.fail(c instanceof GatewayException g ? g : GatewayException.internal("send failed", c));
                                            } else {
                                                sink.respondNative(r.body(), Observation.usage(Usage.of(1, 1)), Headers.EMPTY);
                                            }
                                        });
                            }

                            @Override
                            public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
                                sink.complete();
                            }
                        };
                    }
                });
            }
        };
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
