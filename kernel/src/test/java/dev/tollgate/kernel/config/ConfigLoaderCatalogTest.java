package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.catalog.CatalogEntry;
import dev.tollgate.spi.catalog.Capability;
import dev.tollgate.spi.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration keys of the model catalog: {@code models_file} and a deployment's {@code model_info}. */
class ConfigLoaderCatalogTest {

    @TempDir
    Path dir;

    private ConfigLoader loader(Map<String, String> env) {
        return new ConfigLoader(new References(env::get, dir), dir);
    }

    @Test
    void theCatalogDefaultsToModelsYamlBesideTheConfigurationFile() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("tollgate.yaml"), "plugins: []\n");

        GatewayConfig c = loader(Map.of()).load(conf.resolve("tollgate.yaml"));

        assertThat(c.modelsFile()).isEqualTo(new ModelsFile(conf.resolve("models.yaml"), false));
        assertThat(c.withPort(1).modelsFile()).isEqualTo(c.modelsFile());
    }

    @Test
    void withoutACatalogBesideTheConfigurationTheInstallationsShippedOneIsUsed() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("tollgate.yaml"), "plugins: []\n");
        Path shipped = Files.writeString(Files.createDirectories(dir.resolve("conf")).resolve("models.yaml"), "models: {}\n");

        assertThat(loader(Map.of()).load(elsewhere.resolve("tollgate.yaml")).modelsFile()).isEqualTo(new ModelsFile(shipped, false));

        Path beside = Files.writeString(elsewhere.resolve("models.yaml"), "models: {}\n");
        assertThat(loader(Map.of()).load(elsewhere.resolve("tollgate.yaml")).modelsFile()).isEqualTo(new ModelsFile(beside, false));
    }

    @Test
    void aConfigurationBuiltInCodeHasNoCatalogUnlessItNamesOne() {
        assertThat(loader(Map.of()).parse("", null).modelsFile()).isEqualTo(ModelsFile.NONE);
    }

    @Test
    void aConfiguredModelsFileIsRelativeToTheConfigurationsFolderAndRequired() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("tollgate.yaml"), "models_file: ${env:CATALOG:-prices/models.yaml}\n");

        assertThat(loader(Map.of()).load(conf.resolve("tollgate.yaml")).modelsFile())
                .isEqualTo(new ModelsFile(conf.resolve("prices/models.yaml"), true));
        assertThat(loader(Map.of("CATALOG", "/etc/tollgate/models.yaml")).load(conf.resolve("tollgate.yaml")).modelsFile())
                .isEqualTo(new ModelsFile(Path.of("/etc/tollgate/models.yaml"), true));
    }

    @Test
    void aDeploymentsModelInfoIsParsedWithExactPrices() {
        GatewayConfig c = loader(Map.of()).parse("""
                models:
                  local:
                    deployments:
                      - provider: openai
                        model: llama3.1
                        model_info:
                          input: 0.10000000000000000001
                          reasoning: 2.5
                          max_output_tokens: 4096
                          capabilities: [tools, reasoning]
                      - provider: openai
                        model: other
                """, null);

        CatalogEntry info = c.models().get("local").deployments().get(0).modelInfo();
        assertThat(info.input().toPlainString()).isEqualTo("0.10000000000000000001");
        assertThat(info.output()).as("left to the catalog").isNull();
        assertThat(info.reasoning()).isEqualTo(new BigDecimal("2.5"));
        assertThat(info.maxOutputTokens()).isEqualTo(4096);
        assertThat(info.capabilities()).isEqualTo(Set.of(Capability.TOOLS, Capability.REASONING));
        assertThat(c.models().get("local").deployments().get(1).modelInfo()).isEqualTo(CatalogEntry.EMPTY);
    }

    @Test
    void aBadModelInfoNamesItsKeyPath() {
        assertThatThrownBy(() -> loader(Map.of()).parse("models: {m: {deployments: [{provider: p, model: x, model_info: {inptu: 1}}]}}\n", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key models.m.deployments[0].model_info.inptu");
        assertThatThrownBy(() -> loader(Map.of()).parse("models: {m: {deployments: [{provider: p, model: x, model_info: {output: -1}}]}}\n", null))
                .hasMessageContaining("models.m.deployments[0].model_info.output must not be negative");
        assertThatThrownBy(() -> loader(Map.of()).parse("models: {m: {deployments: [{provider: p, model: x, model_info: cheap}]}}\n", null))
                .hasMessageContaining("models.m.deployments[0].model_info must be a map");
    }

    @Test
    void floatsElsewhereStillReachPluginsAsNumbers() {
        GatewayConfig c = loader(Map.of()).parse("models: {m: {deployments: [{provider: p, model: x, config: {error_rate: 0.25}}]}}\n", null);

        Object rate = c.models().get("m").deployments().get(0).config().get("error_rate");

        assertThat(rate).isInstanceOf(Number.class);
        assertThat(((Number) rate).doubleValue()).isEqualTo(0.25);
    }
}
