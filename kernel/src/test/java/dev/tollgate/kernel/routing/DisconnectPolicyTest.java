package dev.tollgate.kernel.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.records.MemorySinkPlugin;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code on_disconnect}: with {@code cancel} (the default) the upstream call ends when the client
 * hangs up mid-stream; with {@code drain} it is read to its end and the whole usage is charged.
 */
class DisconnectPolicyTest {

    /** Streams one text event at once; the rest, with the usage, when the test says so. */
    static final class HeldStream implements TollgatePlugin {
        final AtomicReference<StreamSink> held = new AtomicReference<>();
        final AtomicReference<ProviderCall> call = new AtomicReference<>();

        @Override
        public List<ProviderFactory> providers() {
            return List.of(new ProviderFactory() {
                @Override
                public String name() {
                    return "held";
                }

                @Override
                public ProviderAdapter create(PluginConfig config, PluginContext context) {
                    return new ProviderAdapter() {
                        @Override
                        public Set<WireFormat> nativeFormats() {
                            return Set.of();
                        }

                        @Override
                        public void chat(ProviderRequest request, ProviderCall c, ResponseSink<ChatResponse> sink) {
                            sink.fail(dev.tollgate.spi.GatewayException.internal("streams only", null));
                        }

                        @Override
                        public void streamChat(ProviderRequest request, ProviderCall c, StreamSink sink) {
                            call.set(c);
                            sink.event(new StreamEvent.MessageStart("held-1", request.upstreamModel(), null));
                            sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
                            sink.event(new StreamEvent.TextDelta(0, "first words"));
                            held.set(sink);
                        }
                    };
                }
            });
        }

        void finish() {
            StreamSink s = held.get();
            s.event(new StreamEvent.TextDelta(0, " and the rest"));
            s.event(new StreamEvent.BlockStop(0));
            s.event(new StreamEvent.MessageEnd(StopReason.END_TURN, null, Usage.of(10, 30)));
            s.complete();
        }
    }

    private static KernelHarness gateway(String onDisconnect, HeldStream upstream, List<RequestRecord> records) {
        Map<String, TollgatePlugin> plugins = new HashMap<>(MemorySinkPlugin.of("memory", records::addAll));
        plugins.put("held", upstream);
        return KernelHarness.start("""
                plugins: [held, memory-sink]
                logging:
                  sinks: [{name: memory, flush_interval: 5ms}]
                models:
                  m:
                    on_disconnect: %s
                    deployments:
                      - {provider: held, model: up-m}
                """.formatted(onDisconnect), plugins);
    }

    /** Starts a stream, reads until its first text arrives, and hangs up. */
    private static void readFirstEventsAndHangUp(KernelHarness g) throws Exception {
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (Socket s = new Socket("127.0.0.1", g.port())) {
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (!seen.toString().contains("first words")) {
                int n = in.read(buf);
                assertThat(n).as("the stream's first events").isPositive();
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void cancelClosesTheUpstreamCallWhenTheClientHangsUp() throws Exception {
        HeldStream upstream = new HeldStream();
        List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (KernelHarness g = gateway("cancel", upstream, records)) {
            readFirstEventsAndHangUp(g);
            Eventually.await(Duration.ofSeconds(10), () -> records.size() == 1);
            RequestRecord r = records.get(0);
            assertThat(r.clientDisconnected()).isTrue();
            assertThat(r.attempts()).singleElement().satisfies(a -> assertThat(a.result()).isEqualTo(AttemptRecord.Result.CANCELLED));
            assertThat(upstream.call.get().isCancelled()).as("the provider was told to stop").isTrue();
        }
    }

    @Test
    void drainReadsTheUpstreamToItsEndAndChargesTheWholeUsage() throws Exception {
        HeldStream upstream = new HeldStream();
        List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (KernelHarness g = gateway("drain", upstream, records)) {
            readFirstEventsAndHangUp(g);
            Eventually.await(Duration.ofSeconds(10), () -> upstream.held.get() != null);
            // the request is not over while the upstream still answers
            assertThat(records).isEmpty();
            assertThat(upstream.call.get().isCancelled()).isFalse();
            upstream.finish();
            Eventually.await(Duration.ofSeconds(10), () -> records.size() == 1);
            RequestRecord r = records.get(0);
            assertThat(r.clientDisconnected()).isTrue();
            assertThat(r.attempts()).singleElement().satisfies(a -> assertThat(a.result()).isEqualTo(AttemptRecord.Result.SUCCEEDED));
            assertThat(r.usage()).contains(Usage.of(10, 30));
        }
    }
}
