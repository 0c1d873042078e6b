package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.it.TestGateway;
import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A wrong configuration fails the start with one message that names the problem and what is allowed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StartupFailuresTest {

    private static final String MOCK_MODEL = """
            models:
              mock:
                deployments:
                  - provider: mock
                    model: mock-1
            """;

    @Test
    void anAbsentPluginIsNamedWithTheInstalledOnes() {
        assertThatThrownBy(() -> TestGateway.start("plugins: [no-such-plugin]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no-such-plugin")
                .hasMessageContaining("provider-mock")
                .hasMessageContaining("provider-openai");
    }

    @Test
    void anAbsentProviderFactoryIsNamedWithTheAvailableOnes() {
        assertThatThrownBy(() -> TestGateway.start("""
                plugins: [provider-mock]
                models:
                  m:
                    deployments:
                      - provider: nope
                        model: x
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'nope'")
                .hasMessageContaining("mock")
                .hasMessageContaining("models.m.deployments[0].provider");
    }

    @Test
    void twoPluginsContributingTheSameFactoryNameAreRefused(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Dist.copyTree(Dist.probePluginDirectory(), plugins.resolve("jackson-probe"));
        Path copy = plugins.resolve("jackson-probe-copy");
        Dist.copyTree(Dist.probePluginDirectory(), copy);
        Path properties = copy.resolve("plugin.properties");
        String text = Files.readString(properties);
        assertThat(text).contains("plugin.id=jackson-probe");
        Files.writeString(properties, text.replace("plugin.id=jackson-probe", "plugin.id=jackson-probe-copy"));

        assertThatThrownBy(() -> TestGateway.start("""
                plugins_dir: '%s'
                plugins: [jackson-probe, jackson-probe-copy]
                """.formatted(plugins)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("duplicate")
                .hasMessageContaining("'jackson-probe'")
                .hasMessageMatching("(?s).*plugin jackson-probe(?!-copy).*")
                .hasMessageContaining("plugin jackson-probe-copy");
    }

    @Test
    void anUnknownKeyInADeploymentsConfigIsNamedWithTheAllowedKeys() {
        assertThatThrownBy(() -> TestGateway.start("""
                plugins: [provider-mock]
                models:
                  mock:
                    deployments:
                      - provider: mock
                        model: mock-1
                        config: {ttft: 1ms, bogus: 1}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.mock.deployments[0].config.bogus")
                .hasMessageContaining("allowed keys")
                .hasMessageContaining("ttft")
                .hasMessageContaining("tokens_per_second")
                .hasMessageContaining("response_tokens");
    }

    @Test
    void anUnknownTopLevelKeyIsNamedWithTheAllowedKeys() {
        assertThatThrownBy(() -> TestGateway.start("""
                severs:
                  port: 8080
                plugins: [provider-mock]
                """ + MOCK_MODEL))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("severs")
                .hasMessageContaining("server")
                .hasMessageContaining("plugins")
                .hasMessageContaining("models");
    }

    @Test
    void aLiteralSecretIsRefusedWithoutBeingEchoed() {
        String literal = "sk-literal-do-not-echo-1234";
        assertThatThrownBy(() -> TestGateway.start("""
                plugins: [provider-openai]
                models:
                  gpt:
                    deployments:
                      - provider: openai
                        model: gpt-4o-mini
                        config:
                          api_base: http://127.0.0.1:9/v1
                          api_key: %s
                """.formatted(literal)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.gpt.deployments[0].config.api_key")
                .hasMessageContaining("${env:")
                .message().doesNotContain(literal);
    }

    @Test
    void aReferenceToAnUnsetVariableNamesIt() {
        String unset = "TOLLGATE_TEST_UNSET_" + Long.toHexString(System.nanoTime()).toUpperCase();
        assertThatThrownBy(() -> TestGateway.start("""
                plugins: [provider-openai]
                models:
                  gpt:
                    deployments:
                      - provider: openai
                        model: gpt-4o-mini
                        config:
                          api_base: http://127.0.0.1:9/v1
                          api_key: ${env:%s}
                """.formatted(unset), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(unset)
                .hasMessageContaining("api_key");
    }

    @Test
    void theLauncherExitsTwoOnAConfigurationError(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("broken.yaml");
        Files.writeString(config, """
                server:
                  host: 127.0.0.1
                  port: %d
                plugins: [no-such-plugin]
                """.formatted(Dist.freePort()));
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of(), "--config", config.toString())) {
            int exit = p.awaitExit(Duration.ofSeconds(30));
            assertThat(exit).as(p.output()).isEqualTo(2);
            assertThat(p.stderr()).as(p.output())
                    .contains("tollgate: configuration error")
                    .contains("no-such-plugin")
                    .contains("provider-mock")
                    .contains("provider-openai");
        }
    }

    @Test
    void aSecondGatewayOnATakenPortExitsOneSayingItCannotStart(@TempDir Path dir) throws Exception {
        int port = Dist.freePort();
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        try (GatewayProcess running = GatewayProcess.start(first, Map.of(), "--port", String.valueOf(port))) {
            running.awaitReady(port, Duration.ofSeconds(30));
            try (GatewayProcess p = GatewayProcess.start(second, Map.of(), "--port", String.valueOf(port))) {
                int exit = p.awaitExit(Duration.ofSeconds(30));
                assertThat(exit).as(p.output()).isEqualTo(1);
                assertThat(p.stderr()).as(p.output())
                        .contains("tollgate: cannot start: port " + port + " on 127.0.0.1 is already in use")
                        .doesNotContain("configuration error");
            }
            assertThat(Dist.get(Dist.client(), port, "/health/ready").statusCode()).as("the first one still serves").isEqualTo(200);
        }
    }

    @Test
    void referencesUnderNonSecretKeysAreNamedButTheirValuesNeverPrinted() {
        String value = "sk" + Long.toHexString(System.nanoTime()) + "q7Hc2Lw9Rt4Vx1Bn";
        Map<String, String> env = Map.of("TG_VALUE", value);
        for (String setting : new String[] {"api_base: ${env:TG_VALUE}", "auth: ${env:TG_VALUE}", "read_timeout: ${env:TG_VALUE}",
                "connect_timeout: ${env:TG_VALUE}", "include_usage: ${env:TG_VALUE}"}) {
            String key = setting.substring(0, setting.indexOf(':'));
            assertThatThrownBy(() -> TestGateway.start("""
                    plugins: [provider-openai]
                    models:
                      gpt:
                        deployments:
                          - provider: openai
                            model: gpt-4o-mini
                            config:
                              api_key: ${env:TG_VALUE}
                              %s
                    """.formatted(setting), env))
                    .as(setting)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("models.gpt.deployments[0].config." + key)
                    .satisfies(e -> assertThat(e.getMessage()).as(setting).doesNotContain(value).doesNotContain(value.substring(8)));
        }
    }

    @Test
    void theLauncherPrintsTheReferenceNotItsValue(@TempDir Path dir) throws Exception {
        String value = "sk" + Long.toHexString(System.nanoTime()) + "q7Hc2Lw9Rt4Vx1Bn";
        Path config = dir.resolve("bad-base.yaml");
        Files.writeString(config, """
                server: {port: %d}
                plugins: [provider-openai]
                models:
                  gpt:
                    deployments:
                      - provider: openai
                        model: gpt-4o-mini
                        config:
                          api_base: ${env:TG_BASE}
                """.formatted(Dist.freePort()));
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of("TG_BASE", value), "--config", config.toString())) {
            assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isEqualTo(2);
            assertThat(p.stderr()).as(p.output())
                    .contains("tollgate: configuration error in " + config)
                    .contains("models.gpt.deployments[0].config.api_base")
                    .contains("${env:TG_BASE}");
            assertThat(p.stdout() + p.stderr()).doesNotContain(value);
        }
    }

    @Test
    void theStartLogNamesTheAbsolutePathOfTheConfigurationGivenRelatively(@TempDir Path dir) throws Exception {
        int port = Dist.freePort();
        Files.writeString(dir.resolve("mine.yaml"), """
                server: {port: %d}
                plugins: [provider-mock]
                """.formatted(port) + MOCK_MODEL);
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of(), "--config", "mine.yaml")) {
            p.awaitReady(port, Duration.ofSeconds(30));
            assertThat(p.stdout()).as(p.output())
                    .contains("configuration " + dir.toAbsolutePath().normalize().resolve("mine.yaml"));
        }
    }
}
