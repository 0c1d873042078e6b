package dev.tollgate.kernel.governance.auth;

import static dev.tollgate.kernel.governance.GovernedGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.governance.GovernedGateway;
import dev.tollgate.spi.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which listeners may serve /v1 without keys, and what the master key and server.auth change. */
class WhoMayCallTest {

    @Test
    void withoutAMasterKeyALoopbackGatewayServesV1OpenlyAndTheAdminApiIsOff() {
        try (GovernedGateway gw = GovernedGateway.start("server: {host: 127.0.0.1}\n", Map.of())) {
            assertThat(gw.send("POST", "/v1/chat/completions", chat("m")).statusCode()).isEqualTo(200);
            assertThat(gw.send("POST", "/v1/chat/completions", chat("m"), "Authorization", "Bearer sk-anything").statusCode())
                    .isEqualTo(200);
            assertThat(gw.send("GET", "/v1/models", null).statusCode()).isEqualTo(200);
            var admin = gw.admin("GET", "/admin/keys", null);
            assertThat(admin.statusCode()).isEqualTo(403);
            assertThat(admin.body()).contains("admin.master_key");
        }
    }

    @Test
    void anEmptyMasterKeyReferenceMeansNoMasterKey() {
        try (GovernedGateway gw = GovernedGateway.start("admin: {master_key: '${env:TG_TEST_UNSET:-}'}\n", Map.of())) {
            assertThat(gw.send("POST", "/v1/chat/completions", chat("m")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aNonLoopbackHostWithoutAMasterKeyRefusesToStartNamingTheFixes() {
        assertThatThrownBy(() -> GovernedGateway.start("server: {host: 0.0.0.0}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.host 0.0.0.0")
                .hasMessageContaining("admin.master_key")
                .hasMessageContaining("server.auth: none");
    }

    @Test
    void aNonLoopbackHostStartsWithAuthNone() {
        try (GovernedGateway gw = GovernedGateway.start("server: {host: 0.0.0.0, auth: none}\n", Map.of())) {
            assertThat(gw.send("POST", "/v1/chat/completions", chat("m")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aNonLoopbackHostStartsWithAMasterKeyAndThenNeedsKeys() {
        try (GovernedGateway gw = GovernedGateway.start("""
                server: {host: 0.0.0.0}
                admin: {master_key: '${env:TG_TEST_MASTER}'}
                """, Map.of())) {
            assertThat(gw.send("POST", "/v1/chat/completions", chat("m")).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void authNoneOpensV1EvenWithAMasterKeyButTheAdminApiStillNeedsIt() {
        try (GovernedGateway gw = GovernedGateway.start("""
                server: {auth: none}
                admin: {master_key: '${env:TG_TEST_MASTER}'}
                """, Map.of())) {
            assertThat(gw.send("POST", "/v1/chat/completions", chat("m")).statusCode()).isEqualTo(200);
            assertThat(gw.send("GET", "/admin/keys", null).statusCode()).isEqualTo(401);
            String key = gw.createKey("{\"name\":\"a\",\"models\":[\"m\"]}").get("key").asText();
            assertThat(gw.send("POST", "/v1/chat/completions", chat("other"), "x-api-key", key).statusCode())
                    .as("a key's model list still applies when it is sent").isEqualTo(403);
        }
    }

    @Test
    void theParsedConfigurationNeverShowsTheMasterKey() {
        var loader = new dev.tollgate.kernel.config.ConfigLoader(new dev.tollgate.kernel.config.References(
                Map.of("K", GovernedGateway.MASTER)::get, java.nio.file.Path.of(".")), java.nio.file.Path.of("."));
        var config = loader.parse("admin: {master_key: '${env:K}'}\n", null);

        assertThat(config.admin().masterKey()).isEqualTo(GovernedGateway.MASTER);
        assertThat(config.toString()).doesNotContain(GovernedGateway.MASTER).contains("masterKey=***");
        assertThat(dev.tollgate.kernel.logging.Secrets.scrub("x " + GovernedGateway.MASTER)).isEqualTo("x ***");
    }

    @Test
    void theMasterKeyMustBeAReferenceOfAtLeast16Characters() {
        assertThatThrownBy(() -> GovernedGateway.start("admin: {master_key: literal-master-key-value}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.master_key is a secret")
                .hasMessageNotContaining("literal-master-key-value");
        assertThatThrownBy(() -> GovernedGateway.start("admin: {master_key: '${env:TG_SHORT:-short}'}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("shorter than 16");
        assertThatThrownBy(() -> GovernedGateway.start("server: {auth: maybe}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.auth must be keys or none");
        assertThatThrownBy(() -> GovernedGateway.start("admin: {master: x}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.master");
    }
}
