package dev.tollgate.kernel.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.ModelsFile;
import dev.tollgate.kernel.config.References;
import dev.tollgate.spi.catalog.Capability;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import dev.tollgate.spi.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModelCatalogTest {

    private static final String CATALOG = """
            # Prices in USD per million tokens; updated: 2025-01-01
            models:
              gpt-4o-mini:
                input: 0.15
                output: 0.60
                cached_input: 0.075
                context_window: 128000
                max_output_tokens: 16384
                capabilities: [tools, vision, json_schema]
              precise:
                input: 0.12345678901234567890
                output: 3
                cache_write: "3.75"
                reasoning: 12.5
              limits-only:
                context_window: 8192
            """;

    @TempDir
    Path dir;

    private static Map<String, CatalogEntry> parse(String yaml) {
        return KernelModelCatalog.parse(yaml);
    }

    private static KernelModelCatalog catalog(String yaml) {
        return KernelModelCatalog.of(parse(yaml), java.util.List.of());
    }

    @Test
    void loadsPricesAsExactDecimalsWithTheirDefaults() {
        KernelModelCatalog c = catalog(CATALOG);

        ModelInfo mini = c.find("gpt-4o-mini").orElseThrow();
        Prices p = mini.prices().orElseThrow();
        assertThat(p.inputPerMillion()).isEqualTo(new BigDecimal("0.15"));
        assertThat(p.outputPerMillion()).isEqualTo(new BigDecimal("0.60"));
        assertThat(p.cachedInputPerMillion()).contains(new BigDecimal("0.075"));
        assertThat(p.cacheWritePerMillion()).as("defaults to input in cost()").isEmpty();
        assertThat(p.reasoningPerMillion()).as("defaults to output in cost()").isEmpty();
        assertThat(mini.contextWindow()).hasValue(128000);
        assertThat(mini.maxOutputTokens()).hasValue(16384);
        assertThat(mini.capabilities()).containsExactlyInAnyOrder(Capability.TOOLS, Capability.VISION, Capability.JSON_SCHEMA);

        Prices precise = c.find("precise").orElseThrow().prices().orElseThrow();
        assertThat(precise.inputPerMillion().toPlainString()).as("never through a binary double").isEqualTo("0.12345678901234567890");
        assertThat(precise.outputPerMillion()).isEqualTo(new BigDecimal("3"));
        assertThat(precise.cacheWritePerMillion()).contains(new BigDecimal("3.75"));
        assertThat(precise.reasoningPerMillion()).contains(new BigDecimal("12.5"));

        ModelInfo limitsOnly = c.find("limits-only").orElseThrow();
        assertThat(limitsOnly.prices()).isEmpty();
        assertThat(limitsOnly.maxOutputTokens()).isEmpty();
        assertThat(limitsOnly.capabilities()).isEmpty();
        assertThat(c.all()).extracting(ModelInfo::name).containsExactly("gpt-4o-mini", "precise", "limits-only");
        assertThat(c.find("unknown")).isEmpty();
    }

    @Test
    void anEmptyFileOrEmptyModelsIsAnEmptyCatalog() {
        assertThat(parse("")).isEmpty();
        assertThat(parse("# nothing yet\n")).isEmpty();
        assertThat(parse("models: {}\n")).isEmpty();
    }

    @Test
    void everyInvalidEntryIsRefusedWithItsKeyPath() {
        assertError("models: {m: {input: 1, output: 2, price: 3}}", "unknown key models.m.price; allowed keys: [cache_write, cached_input, "
                + "capabilities, context_window, input, max_output_tokens, output, reasoning]");
        assertError("models: {m: {input: -0.5, output: 2}}", "models.m.input must not be negative, not -0.5");
        assertError("models: {m: {input: 1, output: 2, capabilities: [tools, telepathy]}}",
                "models.m.capabilities: unknown capability 'telepathy'; allowed: tools, vision, json_schema, reasoning");
        assertError("models: {m: {input: 1}}", "models.m has input but no output price: give both, or neither for an unpriced model");
        assertError("models: {m: {output: 1}}", "models.m has output but no input price: give both, or neither for an unpriced model");
        assertError("models: {m: {cached_input: 1}}", "models.m has cached_input but no input and output prices");
        assertError("models: {m: {input: cheap, output: 2}}", "models.m.input must be a price in US dollars per million tokens, such as 0.15, "
                + "not 'cheap'");
        assertError("models: {m: {input: true, output: 2}}", "models.m.input must be a price in US dollars per million tokens");
        assertError("models: {m: {context_window: 0}}", "models.m.context_window must be a positive number of tokens, not 0");
        assertError("models: {m: {max_output_tokens: 1.5}}", "models.m.max_output_tokens must be an integer, not '1.5'");
        assertError("models: {m: {input: }}", "models.m.input has no value");
        assertError("models: {m: [1]}", "models.m must be a map with keys such as input, output, context_window");
        assertError("models: {'bad name': {}}", "models.bad name: a model name is 1-128 characters");
        assertError("models: [m]", "models must be a map of model name to {input, output, ...}");
        assertError("prices: {}", "unknown key prices; allowed keys: [models]");
        assertError("- models", "the model catalog must be a map with key models");
        assertError("models: {m: {input: [", "not valid YAML at line 1");
    }

    private static void assertError(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml + "\n")).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void aMissingDefaultFileIsAnEmptyCatalogButAMissingConfiguredOneFails() {
        assertThat(KernelModelCatalog.read(new ModelsFile(dir.resolve("models.yaml"), false))).isEmpty();
        assertThat(KernelModelCatalog.read(ModelsFile.NONE)).isEmpty();
        assertThatThrownBy(() -> KernelModelCatalog.read(new ModelsFile(dir.resolve("prices.yaml"), true)))
                .isInstanceOf(ConfigException.class).hasMessage("models_file " + dir.resolve("prices.yaml") + " does not exist");
    }

    @Test
    void errorsInAFileNameTheFile() throws Exception {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, "models: {m: {input: -1, output: 1}}\n");

        assertThatThrownBy(() -> KernelModelCatalog.read(new ModelsFile(file, false)))
                .hasMessage(file + ": models.m.input must not be negative, not -1");
    }

    @Test
    void aDeploymentsModelInfoIsMergedKeyByKeyOverItsUpstreamModelsEntry() throws Exception {
        Files.writeString(dir.resolve("models.yaml"), CATALOG);
        Files.writeString(dir.resolve("tollgate.yaml"), """
                models:
                  cheap:
                    deployments:
                      - provider: openai
                        model: gpt-4o-mini
                        model_info: {input: 0.10, context_window: 64000}
                      - provider: openai
                        model: gpt-4o-mini
                  local:
                    deployments:
                      - provider: openai
                        model: llama3.1
                        model_info:
                          input: 0
                          output: 0
                          capabilities: [tools]
                      - provider: openai
                        model: uncatalogued
                """);
        GatewayConfig config = new ConfigLoader(new References(k -> null, dir), dir).load(dir.resolve("tollgate.yaml"));

        KernelModelCatalog c = KernelModelCatalog.load(config);

        ModelInfo overridden = c.effectiveInfo("cheap#0").orElseThrow();
        Prices p = overridden.prices().orElseThrow();
        assertThat(overridden.name()).isEqualTo("gpt-4o-mini");
        assertThat(p.inputPerMillion()).isEqualTo(new BigDecimal("0.10"));
        assertThat(p.outputPerMillion()).as("from the catalog").isEqualTo(new BigDecimal("0.60"));
        assertThat(p.cachedInputPerMillion()).as("from the catalog").contains(new BigDecimal("0.075"));
        assertThat(overridden.contextWindow()).hasValue(64000);
        assertThat(overridden.maxOutputTokens()).as("from the catalog").hasValue(16384);
        assertThat(overridden.capabilities()).contains(Capability.VISION);
        assertThat(c.effectiveInfo("cheap#1")).as("no override: the catalog entry").containsSame(c.find("gpt-4o-mini").orElseThrow());
        assertThat(c.find("gpt-4o-mini").orElseThrow().prices().orElseThrow().inputPerMillion())
                .as("the catalog itself is unchanged").isEqualTo(new BigDecimal("0.15"));

        ModelInfo selfHosted = c.effectiveInfo("local#0").orElseThrow();
        assertThat(selfHosted.prices().orElseThrow().inputPerMillion()).isZero();
        assertThat(selfHosted.capabilities()).containsExactly(Capability.TOOLS);
        assertThat(c.effectiveInfo("local#1")).isEmpty();
        assertThatThrownBy(() -> c.effectiveInfo("nope#0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOverrideThatLeavesPricesIncompleteIsRefused() {
        GatewayConfig config = new ConfigLoader(new References(k -> null, dir), dir).parse("""
                models:
                  local:
                    deployments:
                      - provider: openai
                        model: llama3.1
                        model_info: {input: 1}
                """, null);

        assertThatThrownBy(() -> KernelModelCatalog.load(config)).isInstanceOf(ConfigException.class)
                .hasMessage("models.local.deployments[0].model_info has input but no output price: give both, or neither for an unpriced model");
    }

    @Test
    void theShippedCatalogPricesTheMockModelAtZero() {
        Path shipped = Path.of("../distribution/src/conf/models.yaml");
        assertThat(shipped).exists();

        ModelInfo mock = KernelModelCatalog.of(KernelModelCatalog.read(new ModelsFile(shipped, true)), java.util.List.of())
                .find("mock-1").orElseThrow();

        assertThat(mock.prices().orElseThrow().inputPerMillion()).isZero();
        assertThat(mock.prices().orElseThrow().outputPerMillion()).isZero();
        assertThat(mock.contextWindow()).hasValue(128000);
        assertThat(mock.capabilities()).containsExactly(Capability.TOOLS);
    }

    @Test
    void theShippedCatalogPricesCurrentProviderModels() {
        var shipped = KernelModelCatalog.of(KernelModelCatalog.read(
                new ModelsFile(Path.of("../distribution/src/conf/models.yaml"), true)), java.util.List.of());
        for (String model : java.util.List.of("gpt-4o-mini", "gpt-5", "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-flash")) {
            ModelInfo info = shipped.find(model).orElseThrow(() -> new AssertionError(model + " is not in the shipped catalog"));
            assertThat(info.prices()).as(model).isPresent();
            assertThat(info.prices().orElseThrow().outputPerMillion()).as(model).isPositive();
            assertThat(info.contextWindow()).as(model).isPresent();
        }
        // cache reads are cheaper than input, and Anthropic's cache writes dearer, where the provider prices them so
        var sonnet = shipped.find("claude-sonnet-4-5").orElseThrow().prices().orElseThrow();
        assertThat(sonnet.cachedInputPerMillion().orElseThrow()).isLessThan(sonnet.inputPerMillion());
        assertThat(sonnet.cacheWritePerMillion().orElseThrow()).isGreaterThan(sonnet.inputPerMillion());
    }

    @Test
    void theShippedCatalogPricesDeepSeekCacheHitsAsItsPricingPageDoes() {
        var shipped = KernelModelCatalog.of(KernelModelCatalog.read(
                new ModelsFile(Path.of("../distribution/src/conf/models.yaml"), true)), java.util.List.of());
        ModelInfo chat = shipped.find("deepseek-chat").orElseThrow();
        var prices = chat.prices().orElseThrow();

        assertThat(prices.inputPerMillion()).isEqualByComparingTo("0.56");
        assertThat(prices.cachedInputPerMillion()).hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("0.07"));
        assertThat(prices.outputPerMillion()).isEqualByComparingTo("1.68");
        assertThat(chat.contextWindow()).hasValue(128000);
        assertThat(chat.maxOutputTokens()).hasValue(8000);
        assertThat(chat.capabilities()).containsExactly(Capability.TOOLS);
        // 10,000 prompt tokens of which 8,000 cache hits, 500 output: 2,000 x 0.56 + 8,000 x 0.07 + 500 x 1.68
        // = 1,120 + 560 + 840 micro-dollars
        var usage = dev.tollgate.spi.chat.Usage.builder().inputTokens(10_000).cachedInputTokens(8_000).outputTokens(500).build();
        assertThat(prices.costMicros(usage)).isEqualTo(2_520);
        assertThat(prices.costMicros(dev.tollgate.spi.chat.Usage.of(10_000, 500))).isEqualTo(6_440);

        ModelInfo reasoner = shipped.find("deepseek-reasoner").orElseThrow();
        assertThat(reasoner.prices()).isEqualTo(chat.prices());
        assertThat(reasoner.maxOutputTokens()).hasValue(64000);
        assertThat(reasoner.capabilities()).containsExactlyInAnyOrder(Capability.TOOLS, Capability.REASONING);
    }

    @Test
    void theShippedCatalogPricesOpenRouterIdsWithTheirVendorPrefix() {
        var shipped = KernelModelCatalog.of(KernelModelCatalog.read(
                new ModelsFile(Path.of("../distribution/src/conf/models.yaml"), true)), java.util.List.of());
        ModelInfo mini = shipped.find("openai/gpt-4o-mini").orElseThrow();

        assertThat(mini.prices().orElseThrow().inputPerMillion()).isEqualByComparingTo("0.15");
        assertThat(mini.prices().orElseThrow().outputPerMillion()).isEqualByComparingTo("0.60");
        assertThat(mini.prices().orElseThrow().cachedInputPerMillion()).isEmpty();
        assertThat(mini.capabilities()).as("unknown: the page lists none, so no request is kept from it").isEmpty();
        assertThat(shipped.find("anthropic/claude-sonnet-4.5")).isPresent();
        assertThat(shipped.find("meta-llama/llama-3.3-70b-instruct")).as("its stored pages disagreed on the price").isEmpty();
    }
}
