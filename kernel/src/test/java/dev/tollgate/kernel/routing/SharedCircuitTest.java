package dev.tollgate.kernel.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.ManualScheduler;
import dev.tollgate.kernel.state.InProcessStateBackend;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.StateBackendFactory;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways on one shared state backend (as two instances on one Redis): a circuit that opens
 * on one keeps the other's traffic off that deployment too.
 */
class SharedCircuitTest {

    private final ManualScheduler time = new ManualScheduler();
    private final InProcessStateBackend shared = new InProcessStateBackend(Runnable::run, time);

    /** State backend {@code shared}: the same in-process backend for every gateway given this plugin. */
    private final TollgatePlugin sharedState = new TollgatePlugin() {
        @Override
        public List<StateBackendFactory> stateBackends() {
            return List.of(new StateBackendFactory() {
                @Override
                public String name() {
                    return "shared";
                }

                @Override
                public StateBackend create(PluginConfig config, PluginContext context) {
                    config.requireAllRead();
                    return shared;
                }
            });
        }
    };

    @BeforeEach
    void reset() {
        ScriptedProviderPlugin.reset();
    }

    private KernelHarness gateway() {
        return KernelHarness.start("""
                plugins: [scripted, shared-state]
                state: {backend: shared}
                models:
                  m:
                    cooldown_wait: 0s
                    retry: {max_attempts: 1}
                    circuit: {failures: 1, window: 10s, cooldown: 30s}
                    deployments:
                      - {provider: scripted, model: up-a, config: {script: ["500", ok]}}
                      - {provider: scripted, model: up-b}
                """, Map.of("scripted", new ScriptedProviderPlugin(), "shared-state", sharedState), time);
    }

    private static String served(KernelHarness g) throws Exception {
        HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-tollgate-deployment").orElseThrow();
    }

    @Test
    void aCircuitOpenedOnOneInstanceKeepsTheOthersTrafficOffThatDeployment() throws Exception {
        try (KernelHarness first = gateway(); KernelHarness second = gateway()) {
            for (int i = 0; i < 60 && ScriptedProviderPlugin.calls("up-a") == 0; i++) {
                served(first); // up-a's 500 goes on to up-b at once
            }
            assertThat(ScriptedProviderPlugin.calls("up-a")).as("the first instance reached up-a and it failed").isEqualTo(1);

            List<String> onSecond = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                onSecond.add(served(second));
            }

            assertThat(onSecond).containsOnly("m#1");
            assertThat(ScriptedProviderPlugin.calls("up-a")).as("the second instance never tried up-a").isEqualTo(1);
        }
    }
}
