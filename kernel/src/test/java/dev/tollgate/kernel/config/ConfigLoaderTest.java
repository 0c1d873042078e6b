package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.logging.Secrets;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private ConfigLoader loader(Map<String, String> env) {
        return new ConfigLoader(new References(env::get, dir), dir);
    }

    @Test
    void anEmptyFileGivesTheDefaults() {
        GatewayConfig c = loader(Map.of()).parse("", null);
        assertThat(c.server()).isEqualTo(ServerSettings.DEFAULTS);
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(8480);
        assertThat(c.server().maxRequestBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(c.server().maxBufferedRequestBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(c.server().maxConnections()).isEqualTo(8192);
        assertThat(c.server().requestStartTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.server().headerTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.server().bodyReadTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.server().idleTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(c.server().sendTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.plugins()).isEmpty();
        assertThat(c.models()).isEmpty();
        assertThat(c.pluginsDirectory()).isEqualTo(dir.resolve("plugins"));
    }

    @Test
    void everyKeyIsMapped() {
        GatewayConfig c = loader(Map.of("PORT", "9000")).parse("""
                server:
                  host: 0.0.0.0
                  port: ${env:PORT}
                  io_threads: 3
                  max_request_bytes: 512KiB
                  max_header_bytes: 16KiB
                  max_buffered_request_bytes: 8MiB
                  max_connections: 500
                  request_start_timeout: 3s
                  header_timeout: 4s
                  body_read_timeout: 6s
                  idle_timeout: 90s
                  send_timeout: 7s
                  ttft_timeout: 45s
                  shutdown_grace: 5s
                plugins_dir: extra/plugins
                plugins: [provider-mock, provider-openai]
                models:
                  gpt-4o:
                    deployments:
                      - provider: openai
                        model: gpt-4o-2024-08-06
                        weight: 3
                        ttft_timeout: 10s
                        config: {api_base: "http://x/v1"}
                      - provider: mock
                        model: m
                policies:
                  - name: keys
                    config: {header: x}
                """, null);
        assertThat(c.server()).isEqualTo(new ServerSettings("0.0.0.0", 9000, 3, 512 * 1024, 16 * 1024, 8L * 1024 * 1024, 500,
                Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(6), Duration.ofSeconds(90),
                Duration.ofSeconds(7), Duration.ofSeconds(45), Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ofMinutes(10),
                Duration.ofSeconds(10), ServerSettings.Auth.KEYS));
        assertThat(c.pluginsDirectory()).isEqualTo(dir.resolve("extra/plugins"));
        assertThat(c.plugins()).containsExactly("provider-mock", "provider-openai");
        ModelSettings m = c.models().get("gpt-4o");
        assertThat(m.deployments()).hasSize(2);
        DeploymentSettings d0 = m.deployments().get(0);
        assertThat(d0.id()).isEqualTo("gpt-4o#0");
        assertThat(d0.provider()).isEqualTo("openai");
        assertThat(d0.upstreamModel()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(d0.weight()).isEqualTo(3);
        assertThat(d0.ttftTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d0.config()).containsEntry("api_base", "http://x/v1");
        assertThat(m.deployments().get(1).ttftTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.policies()).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("keys");
            assertThat(p.config()).containsEntry("header", "x");
        });
    }

    @Test
    void anUnknownTopLevelKeyNamesItAndListsTheAllowedOnes() {
        assertThatThrownBy(() -> loader(Map.of()).parse("severs: {}\n", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("severs")
                .hasMessageContaining("server").hasMessageContaining("models").hasMessageContaining("plugins");
    }

    @Test
    void aServerTimeoutMustBePositive() {
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {body_read_timeout: 0s}\n", null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.body_read_timeout");
    }

    @Test
    void anUnknownServerKeyNamesItsPath() {
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {prot: 1}\n", null))
                .hasMessageContaining("server.prot").hasMessageContaining("port");
    }

    @Test
    void aDeploymentWithoutProviderNamesTheMissingKey() {
        assertThatThrownBy(() -> loader(Map.of()).parse("models: {m: {deployments: [{model: x}]}}\n", null))
                .hasMessageContaining("models.m.deployments[0].provider");
    }

    @Test
    void aModelWithoutDeploymentsIsRefused() {
        assertThatThrownBy(() -> loader(Map.of()).parse("models: {m: {}}\n", null)).hasMessageContaining("models.m.deployments");
    }

    @Test
    void wrongTypesAndBadValuesNameTheKey() {
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {port: 70000}\n", null)).hasMessageContaining("server.port");
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {idle_timeout: soon}\n", null)).hasMessageContaining("server.idle_timeout");
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {max_request_bytes: lots}\n", null)).hasMessageContaining("max_request_bytes");
        assertThatThrownBy(() -> loader(Map.of()).parse("plugins: provider-mock\n", null)).hasMessageContaining("plugins");
        assertThatThrownBy(() -> loader(Map.of()).parse("server: [\n", null)).hasMessageContaining("YAML");
    }

    @Test
    void envReferencesResolveWithDefaultsAndAMissingOneIsNamed() {
        assertThat(loader(Map.of()).parse("server: {port: '${env:NOPE:-8123}'}\n", null).server().port()).isEqualTo(8123);
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {host: '${env:TG_HOST}'}\n", null))
                .hasMessageContaining("TG_HOST").hasMessageContaining("server.host");
    }

    @Test
    void aSecretMustBeAReferenceAndResolvesFromEnvOrFile() throws Exception {
        ConfigLoader l = loader(Map.of("KEY", "sk-from-env"));
        assertThatThrownBy(() -> l.resolveComponentConfig("models.m.deployments[0].config", Map.of("api_key", "sk-literal"), Set.of("api_key")))
                .hasMessageContaining("models.m.deployments[0].config.api_key")
                .hasMessageContaining("${env:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-literal"));
        assertThat(l.resolveComponentConfig("c", Map.of("api_key", "${env:KEY}"), Set.of("api_key"))).containsEntry("api_key", "sk-from-env");
        Files.writeString(dir.resolve("key.txt"), "sk-from-file\n");
        assertThat(l.resolveComponentConfig("c", Map.of("api_key", "${file:key.txt}"), Set.of("api_key"))).containsEntry("api_key", "sk-from-file");
        assertThat(l.resolveComponentConfig("c", Map.of("nested", Map.of("h", "Bearer ${env:KEY}")), Set.of()))
                .containsEntry("nested", Map.of("h", "Bearer sk-from-env"));
    }

    @Test
    void aListUnderASecretKeyHoldsOneReferencePerElementEachRegisteredForScrubbing() {
        String k1 = "listSecretA7Hc2Lw9Rt4Vx1Bn";
        String k2 = "listSecretB3zK8dF5sJ0pGa";
        ConfigLoader l = loader(Map.of("K1", k1, "K2", k2));
        assertThat(l.resolveComponentConfig("c", Map.of("api_keys", List.of("${env:K1}", "${env:K2}")), Set.of("api_keys")))
                .containsEntry("api_keys", List.of(k1, k2));
        assertThat(Secrets.scrub("a=" + k1 + " b=" + k2)).isEqualTo("a=*** b=***");
        assertThatThrownBy(() -> l.resolveComponentConfig("c", Map.of("api_keys", List.of("${env:K1}", "sk-literal")), Set.of("api_keys")))
                .hasMessageContaining("c.api_keys[1]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-literal"));
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> loader(Map.of()).load(dir.resolve("nope.yaml"))).hasMessageContaining("nope.yaml");
    }

    @Test
    void theResolvedValueOfASecretKeyIsRegisteredForScrubbing() throws Exception {
        String fromEnv = "envSecretq7Hc2Lw9Rt4Vx1Bn";
        String fromFile = "fileSecretM3zK8dF5sJ0pGa";
        Files.writeString(dir.resolve("key.txt"), fromFile + "\n");
        ConfigLoader l = loader(Map.of("KEY", fromEnv));
        assertThat(Secrets.scrub("k=" + fromEnv + " f=" + fromFile)).as("before").contains(fromEnv);
        l.resolveComponentConfig("c", Map.of("api_key", "${env:KEY}", "api_base", "http://x/v1"), Set.of("api_key"));
        l.resolveComponentConfig("d", Map.of("token", "${file:key.txt}"), Set.of("token"));
        assertThat(Secrets.scrub("k=" + fromEnv + " f=" + fromFile + " b=http://x/v1")).isEqualTo("k=*** f=*** b=http://x/v1");
    }

    @Test
    void aReferenceUnderANonSecretKeyIsNamedButNotShownInAPluginConfigError() {
        String secret = "sk-placed-under-a-timeout-q7Hc2Lw9";
        ConfigLoader l = loader(Map.of("T", secret, "H", secret));
        PluginConfig c = l.componentConfig("models.m.deployments[0].config",
                Map.of("read_timeout", "${env:T}", "headers", Map.of("X-Key", "${env:H}"), "retries", "many"), Set.of());
        assertThatThrownBy(() -> c.duration("read_timeout", Duration.ZERO))
                .hasMessageStartingWith("models.m.deployments[0].config.read_timeout must be a duration")
                .hasMessageContaining("invalid")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        assertThatThrownBy(() -> c.longValue("headers", 0))
                .hasMessageContaining("models.m.deployments[0].config.headers")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        assertThatThrownBy(() -> c.section("headers").longValue("X-Key", 0))
                .hasMessageContaining("models.m.deployments[0].config.headers.X-Key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        assertThatThrownBy(() -> c.longValue("retries", 0)).as("a value written in the file is still shown")
                .hasMessageEndingWith("not 'many'");
    }

    @Test
    void aPluginsOwnMessageShowsTheReferenceInsteadOfTheResolvedValue() {
        ConfigLoader l = loader(Map.of("BASE", "sk-not-a-url-q7Hc2Lw9", "AUTH", "tokenish"));
        l.resolveComponentConfig("c", Map.of("api_base", "${env:BASE}/v1", "auth", "${env:AUTH}", "other", "${env:NOPE:-fine}"),
                Set.of());
        ConfigException shown = l.showReferences(new ConfigException(
                "c.api_base must be an http or https URL, not 'sk-not-a-url-q7Hc2Lw9/v1'; c.auth is 'tokenish', not tokenishly; fine"));
        assertThat(shown.getMessage()).isEqualTo(
                "c.api_base must be an http or https URL, not '${env:BASE}/v1'; c.auth is '${env:AUTH}', not tokenishly; fine");
        ConfigException untouched = new ConfigException("nothing resolved appears here");
        assertThat(l.showReferences(untouched)).isSameAs(untouched);
    }

    @Test
    void aBadPortFromAReferenceShowsTheReferenceNotTheValue() {
        assertThatThrownBy(() -> loader(Map.of("MY_PORT", "q7Hc2Lw9Rt4Vx1Bn")).parse("server: {port: '${env:MY_PORT}'}\n", null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.port must be a port number between 0 and 65535, not the value of ${env:MY_PORT}");
        assertThatThrownBy(() -> loader(Map.of("MY_PORT", "70000")).parse("server: {port: '${env:MY_PORT}'}\n", null))
                .hasMessage("server.port must be a port number between 0 and 65535, not the value of ${env:MY_PORT}");
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {port: 70000}\n", null))
                .hasMessage("server.port must be a port number between 0 and 65535, not '70000'");
        assertThatThrownBy(() -> loader(Map.of()).parse("server: {port: eighty}\n", null))
                .hasMessage("server.port must be a port number between 0 and 65535, not 'eighty'");
    }

    @Test
    void aReferenceInAModelsSettingIsShownAsWritten() {
        assertThatThrownBy(() -> loader(Map.of("W", "q7Hc2Lw9Rt4Vx1Bn")).parse("""
                models:
                  m:
                    deployments:
                      - provider: p
                        model: x
                        weight: ${env:W}
                """, null))
                .hasMessageContaining("models.m.deployments[0].weight")
                .hasMessageContaining("${env:W}")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("q7Hc2Lw9Rt4Vx1Bn"));
    }
}
