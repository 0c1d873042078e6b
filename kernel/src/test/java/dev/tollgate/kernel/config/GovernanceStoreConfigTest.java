package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code governance.store}: absent or embedded keeps the SQLite store; a backend name picks a plugin's. */
class GovernanceStoreConfigTest {

    @TempDir
    Path home;

    private GatewayConfig parse(String yaml) {
        return new ConfigLoader(new References(Map.of("PG", "s3cret")::get, home), home).parse(yaml, null);
    }

    @Test
    void withoutAStoreOrWithTheEmbeddedOneKeysStayInTheDataDirectory() {
        assertThat(parse("").governance().store()).isNull();
        assertThat(parse("governance: {store: {backend: embedded}}").governance().store()).isNull();
        assertThat(parse("governance: {store: {backend: embedded}}").governance().pluginStore()).isFalse();
    }

    @Test
    void aBackendNameAndItsConfigAreKeptForThePlugin() {
        ComponentSettings s = parse("""
                governance:
                  store:
                    backend: postgres
                    config: {url: 'jdbc:postgresql://db/tollgate', user: tollgate, password: '${env:PG}', pool_size: 4}
                """).governance().store();

        assertThat(s.name()).isEqualTo("postgres");
        assertThat(s.configPath()).isEqualTo("governance.store.config");
        assertThat(s.config()).containsEntry("url", "jdbc:postgresql://db/tollgate").containsEntry("pool_size", 4)
                .containsEntry("password", "${env:PG}");
    }

    @Test
    void aMalformedStoreSectionFailsNamingTheKey() {
        assertThatThrownBy(() -> parse("governance: {store: {config: {}}}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.backend");
        assertThatThrownBy(() -> parse("governance: {store: {backend: postgres, pool: 3}}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.pool");
        assertThatThrownBy(() -> parse("governance: {store: {backend: postgres, config: [1]}}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.config must be a map");
        assertThatThrownBy(() -> parse("governance: {store: {backend: embedded, config: {x: 1}}}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the embedded store takes no configuration");
    }
}
