package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.util.Set;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client that stops reading its answer does not hold the request forever: {@code send_timeout} closes it. */
class SendTimeoutTest {

    @Test
    void closesAConnectionWhoseClientStopsReadingTheAnswer() throws Exception {
        try (KernelHarness g = KernelHarness.start("""
                server:
                  send_timeout: 300ms
                plugins: [big]
                models:
                  big:
                    deployments:
                      - provider: big
                        model: big-1
                """, Map.of("big", new BigAnswerPlugin()));
                Socket s = RawHttp.connect(g.port())) {
            s.setReceiveBufferSize(4096);
            String body = "{\"model\":\"big\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            Eventually.await(Duration.ofSeconds(5), () -> g.gateway().inFlight() == 1);
            Eventually.await(Duration.ofSeconds(10), () -> g.gateway().inFlight() == 0);
            assertThat(g.get("/health/live").statusCode()).isEqualTo(200);
        }
    }

    /** Answers every chat with a 32 MiB body, more than any socket buffers. */
    static final class BigAnswerPlugin implements TollgatePlugin {
        @Override
        public List<ProviderFactory> providers() {
            return List.of(new ProviderFactory() {
                @Override
                public String name() {
                    return "big";
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
                            byte[] answer = new byte[32 * 1024 * 1024];
                            Arrays.fill(answer, (byte) ' ');
                            answer[0] = '{';
                            answer[answer.length - 1] = '}';
                            sink.respondNative(Bytes.wrapOwned(answer), Observation.usage(Usage.of(1, 1)), Headers.EMPTY);
                        }

                        @Override
                        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
                            sink.complete();
                        }
                    };
                }
            });
        }
    }
}
