package dev.tollgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway loads the catalog at start and hands it to plugins. */
class GatewayCatalogTest {

    @TempDir
    Path dir;

    private final AtomicReference<PluginContext> seen = new AtomicReference<>();

    private final TollgatePlugin capturing = new TollgatePlugin() {
        @Override
        public List<ProviderFactory> providers() {
            return List.of(new ProviderFactory() {
                @Override
                public String name() {
                    return "capturing";
                }

                @Override
                public ProviderAdapter create(PluginConfig config, PluginContext context) {
                    seen.set(context);
                    return new FakeProviderPlugin.Adapter(Duration.ZERO, true);
                }
            });
        }
    };

    private String yaml(Path modelsFile) {
        return """
                models_file: %s
                plugins: [capturing]
                models:
                  m:
                    deployments:
                      - provider: capturing
                        model: up-m
                """.formatted(modelsFile);
    }

    @Test
    void pluginsSeeTheCatalogLoadedAtStart() throws Exception {
        Path models = Files.writeString(dir.resolve("models.yaml"), "models: {up-m: {input: 0.5, output: 1.5, context_window: 32000}}\n");

        try (KernelHarness gateway = KernelHarness.start(yaml(models), Map.of("capturing", capturing))) {
            ModelInfo info = seen.get().models().find("up-m").orElseThrow();
            assertThat(info.prices().orElseThrow().inputPerMillion()).isEqualTo(new BigDecimal("0.5"));
            assertThat(info.contextWindow()).hasValue(32000);
            assertThat(seen.get().models().all()).hasSize(1);
            long t0 = seen.get().ticker().nanoTime();
            assertThat(seen.get().ticker().nanoTime()).isGreaterThanOrEqualTo(t0);
            assertThat(gateway.get("/health/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aConfiguredCatalogThatIsMissingFailsTheStart() {
        assertThatThrownBy(() -> KernelHarness.start(yaml(dir.resolve("missing.yaml")), Map.of("capturing", capturing)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("models_file").hasMessageContaining("missing.yaml");
    }

    @Test
    void aPricedAnswerCarriesItsCostRoundedOnceToTheMicroDollar() throws Exception {
        // 3 input tokens at $2.50/M and 2 output tokens at $10/M: 27.5 micro-dollars, rounded half up to 28
        Path models = Files.writeString(dir.resolve("models.yaml"), "models: {up-m: {input: 2.50, output: 10}}\n");

        try (KernelHarness gateway = KernelHarness.start(yaml(models), Map.of("capturing", capturing))) {
            var passThrough = gateway.post("/v1/chat/completions", KernelHarness.chat("m"));
            var translated = gateway.post("/v1/messages",
                    "{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

            assertThat(passThrough.statusCode()).isEqualTo(200);
            assertThat(passThrough.headers().firstValue("x-tollgate-cost")).hasValue("0.000028");
            assertThat(translated.statusCode()).isEqualTo(200);
            assertThat(translated.headers().firstValue("x-tollgate-cost")).hasValue("0.000028");
            assertThat(gateway.get("/metrics").body()).contains("tollgate_requests_unpriced_total 0\n");
        }
    }

    @Test
    void anUnpricedModelIsServedWithItsCostUnknownAndCounted() throws Exception {
        Path models = Files.writeString(dir.resolve("models.yaml"), "models: {other: {input: 1, output: 1}}\n");

        try (KernelHarness gateway = KernelHarness.start(yaml(models), Map.of("capturing", capturing))) {
            var first = gateway.post("/v1/chat/completions", KernelHarness.chat("m"));
            var second = gateway.post("/v1/chat/completions", KernelHarness.chat("m"));

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("x-tollgate-cost")).hasValue("unknown");
            assertThat(second.headers().firstValue("x-tollgate-cost")).hasValue("unknown");
            assertThat(gateway.get("/metrics").body()).contains("tollgate_requests_unpriced_total 2\n");
        }
    }
}
