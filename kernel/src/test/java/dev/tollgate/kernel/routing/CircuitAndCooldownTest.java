package dev.tollgate.kernel.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.ManualScheduler;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Circuits and cooldowns through a running gateway, on the manual clock. */
class CircuitAndCooldownTest {

    private final ManualScheduler time = new ManualScheduler();

    @BeforeEach
    void reset() {
        ScriptedProviderPlugin.reset();
    }

    private KernelHarness gateway(String models) {
        return KernelHarness.start("plugins: [scripted]\nmodels:\n" + models, Map.of("scripted", new ScriptedProviderPlugin()), time);
    }

    private static HttpResponse<String> chat(KernelHarness g, String model) throws Exception {
        return g.post("/v1/chat/completions", KernelHarness.chat(model));
    }

    @Test
    void theCircuitOpensAfterNFailuresHalfOpensAfterItsCooldownAndClosesOnSuccess() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    cooldown_wait: 0s
                    retry: {max_attempts: 1}
                    circuit: {failures: 2, window: 10s, cooldown: 30s}
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["500", "500", ok]}}
                """)) {
            assertThat(chat(g, "m").statusCode()).isEqualTo(500);
            assertThat(chat(g, "m").statusCode()).isEqualTo(500);

            HttpResponse<String> open = chat(g, "m");
            assertThat(open.statusCode()).isEqualTo(503);
            assertThat(open.body()).contains("\"code\":\"deployments_cooling_down\"").contains("the first is back in 30 s");
            assertThat(open.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(ScriptedProviderPlugin.calls("up-m")).as("an open circuit sends nothing upstream").isEqualTo(2);

            time.advance(Duration.ofSeconds(30));
            HttpResponse<String> probe = chat(g, "m");
            assertThat(probe.statusCode()).as("the half-open probe goes through").isEqualTo(200);
            assertThat(chat(g, "m").statusCode()).as("closed again").isEqualTo(200);
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(4);
        }
    }

    @Test
    void failuresSpreadBeyondTheWindowDoNotOpenTheCircuit() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    cooldown_wait: 0s
                    retry: {max_attempts: 1}
                    circuit: {failures: 2, window: 10s, cooldown: 30s}
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["500", "500", ok]}}
                """)) {
            assertThat(chat(g, "m").statusCode()).isEqualTo(500);
            time.advance(Duration.ofSeconds(11));
            assertThat(chat(g, "m").statusCode()).isEqualTo(500);
            assertThat(chat(g, "m").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRequestWhoseOnlyDeploymentCoolsDownWaitsForItWithinTheLimit() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    cooldown_wait: 5s
                    retry: {max_attempts: 1}
                    circuit: {failures: 1, cooldown: 2s}
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["500", ok]}}
                """)) {
            assertThat(chat(g, "m").statusCode()).isEqualTo(500);
            CompletableFuture<HttpResponse<String>> waiting = g.postAsync("/v1/chat/completions", KernelHarness.chat("m"));
            Eventually.await(Duration.ofSeconds(5), () -> time.pending() >= 1);
            time.advance(Duration.ofMillis(1999));
            assertThat(waiting).isNotDone();
            time.advance(Duration.ofMillis(1));
            HttpResponse<String> response = waiting.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(2);
        }
    }

    @Test
    void aCooldownLongerThanTheWaitFailsAtOnceSayingWhenItIsBack() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    cooldown_wait: 1s
                    retry: {max_attempts: 1}
                    circuit: {failures: 1, cooldown: 20s}
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["500", ok]}}
                """)) {
            assertThat(chat(g, "m").statusCode()).isEqualTo(500);
            time.advance(Duration.ofSeconds(5));
            HttpResponse<String> response = chat(g, "m");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("every deployment of model 'm' is cooling down").contains("back in 15 s");
            assertThat(response.headers().firstValue("Retry-After")).hasValue("15");
        }
    }

    @Test
    void a429WithRetryAfterOpensTheCircuitForThatLongAndTheFallbackServesMeanwhile() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    retry: {max_attempts: 1}
                    fallbacks: [{model: f, on: [rate_limited]}]
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["429@20", ok]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, config: {script: [ok]}}
                """)) {
            assertThat(chat(g, "m").body()).contains("from:up-f");
            assertThat(chat(g, "m").body()).as("m is open: straight to the fallback").contains("from:up-f");
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(1);
            time.advance(Duration.ofSeconds(20));
            assertThat(chat(g, "m").body()).contains("from:up-m");
        }
    }
}
