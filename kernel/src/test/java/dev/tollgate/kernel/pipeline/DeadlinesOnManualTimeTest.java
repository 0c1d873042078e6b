package dev.tollgate.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.FakeProviderPlugin;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.ManualScheduler;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every deadline of a request, driven by manual time: no test here sleeps for the deadline to pass. */
class DeadlinesOnManualTimeTest {

    private static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** Set once the stalling provider sent its events. */
    static final java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();

    /** A provider that starts a stream and then never sends another event. */
    public static final class StallingPlugin implements TollgatePlugin {
        @Override
        public List<ProviderFactory> providers() {
            return List.of(new ProviderFactory() {
                @Override
                public String name() {
                    return "stalling";
                }

                @Override
                public ProviderAdapter create(PluginConfig config, PluginContext context) {
                    return new ProviderAdapter() {
                        @Override
                        public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {}

                        @Override
                        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
                            sink.event(new StreamEvent.MessageStart("s-1", "up", null));
                            sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
                            sink.event(new StreamEvent.TextDelta(0, "partial"));
                            stalled.set(true);
                        }
                    };
                }
            });
        }
    }

    @Test
    void aStreamWithoutAFirstEventFailsWith504ExactlyAtItsTimeToFirstTokenLimit() throws Exception {
        ManualScheduler time = new ManualScheduler();
        try (KernelHarness g = KernelHarness.start("""
                plugins: [fake]
                models:
                  m:
                    deployments:
                      - provider: fake
                        model: up
                        ttft_timeout: 5s
                        retry: {max_attempts: 1}
                        config: {delay_ms: 60000}
                """, Map.of("fake", new FakeProviderPlugin()), time)) {
            CompletableFuture<HttpResponse<String>> r = g.postAsync("/v1/chat/completions", STREAM);
            Eventually.await(Duration.ofSeconds(5), () -> time.pending() >= 3);
            time.advance(Duration.ofMillis(4999));
            assertThat(r).as("one nanosecond before the limit nothing happened").isNotDone();
            time.advance(Duration.ofMillis(1));
            HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.body()).contains("\"code\":\"upstream_timeout\"").contains("no first event within 5000 ms");
            time.advance(Duration.ofMinutes(2));
            Eventually.await(Duration.ofSeconds(5), () -> g.gateway().inFlight() == 0);
            assertThat(time.pending()).as("the provider's own task was cancelled with the attempt").isZero();
        }
    }

    @Test
    void aStreamThatStopsSendingEventsEndsWithAnErrorEventAtItsIdleLimit() throws Exception {
        ManualScheduler time = new ManualScheduler();
        try (KernelHarness g = KernelHarness.start("""
                plugins: [stalling]
                models:
                  m:
                    deployments:
                      - provider: stalling
                        model: up
                        stream_idle_timeout: 30s
                """, Map.of("stalling", new StallingPlugin()), time)) {
            stalled.set(false);
            CompletableFuture<HttpResponse<String>> r = g.postAsync("/v1/chat/completions", STREAM);
            Eventually.await(Duration.ofSeconds(5), () -> stalled.get() && time.pending() >= 3);
            time.advance(Duration.ofSeconds(29));
            assertThat(r).isNotDone();
            time.advance(Duration.ofSeconds(1));
            HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as("the stream had started").isEqualTo(200);
            assertThat(response.body()).contains("partial")
                    .endsWith("data: {\"error\":{\"message\":\"the provider sent no event for 30000 ms\",\"type\":\"api_error\","
                            + "\"param\":null,\"code\":\"upstream_timeout\"}}\n\n")
                    .doesNotContain("[DONE]");
        }
    }

    @Test
    void anAttemptThatNeverCompletesEndsAtItsTotalDeadline() throws Exception {
        ManualScheduler time = new ManualScheduler();
        try (KernelHarness g = KernelHarness.start("""
                plugins: [fake]
                models:
                  m:
                    deployments:
                      - provider: fake
                        model: up
                        timeout: 90s
                        retry: {max_attempts: 1}
                        config: {delay_ms: 600000}
                """, Map.of("fake", new FakeProviderPlugin()), time)) {
            CompletableFuture<HttpResponse<String>> r = g.postAsync("/v1/chat/completions", KernelHarness.chat("m"));
            Eventually.await(Duration.ofSeconds(5), () -> time.pending() >= 2);
            time.advance(Duration.ofSeconds(89));
            assertThat(r).isNotDone();
            time.advance(Duration.ofSeconds(1));
            HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.body()).contains("within 90000 ms");
        }
    }

    @Test
    void policiesThatDoNotDecideInTimeGet503AndTheirLateAdmissionIsSettled() throws Exception {
        ManualScheduler time = new ManualScheduler();
        try (KernelHarness g = KernelHarness.start("""
                plugins: [fake, policies]
                server: {admission_timeout: 2s}
                models:
                  m:
                    deployments:
                      - provider: fake
                        model: up
                policies:
                  - name: recording
                    config: {id: slow, hold: true}
                """, Map.of("fake", new FakeProviderPlugin(), "policies", new PolicyHookSemanticsTest.RecordingPolicies()), time)) {
            PolicyHookSemanticsTest.events.clear();
            PolicyHookSemanticsTest.held.clear();
            CompletableFuture<HttpResponse<String>> r = g.postAsync("/v1/chat/completions", KernelHarness.chat("m"));
            Eventually.await(Duration.ofSeconds(5), () -> PolicyHookSemanticsTest.held.containsKey("slow"));
            time.advance(Duration.ofSeconds(2));
            HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("\"code\":\"admission_timeout\"");
            PolicyHookSemanticsTest.held.get("slow").complete(null);
            Eventually.await(Duration.ofSeconds(5), () -> PolicyHookSemanticsTest.events.contains("settle:slow:state-slow"));
            assertThat(PolicyHookSemanticsTest.events).noneMatch(e -> e.startsWith("attempt:"));
        }
    }
}
