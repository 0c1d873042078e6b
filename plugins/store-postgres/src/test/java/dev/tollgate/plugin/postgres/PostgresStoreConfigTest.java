package dev.tollgate.plugin.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PostgresStoreConfigTest {

    private static final String URL = "jdbc:postgresql://db.internal:5432/tollgate";

    private static PostgresStoreConfig from(Map<String, ?> values) {
        return PostgresStoreConfig.from(PluginConfig.of("governance.store.config", values, Set.of("password")));
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = new HashMap<>(Map.of("url", URL, "user", "gateway"));
        m.put(key, value);
        return m;
    }

    @Test
    void thePluginContributesThePostgresStoreWhosePasswordIsSecret() {
        TollgatePlugin plugin = ServiceLoader.load(TollgatePlugin.class).findFirst().orElseThrow();

        assertThat(plugin).isInstanceOf(PostgresStorePlugin.class);
        assertThat(plugin.governanceStores()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("postgres");
            assertThat(f.secretKeys()).containsExactly("password");
        });
    }

    @Test
    void defaultsAreEightConnectionsFiveSecondsToConnectAndTenPerStatement() {
        PostgresStoreConfig config = from(Map.of("url", URL, "user", "gateway"));

        assertThat(config.url()).isEqualTo(URL);
        assertThat(config.user()).isEqualTo("gateway");
        assertThat(config.password()).isNull();
        assertThat(config.poolSize()).isEqualTo(8);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.statementTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyKeyCanBeSetAndThePasswordIsNeverShown() {
        PostgresStoreConfig config = from(Map.of("url", URL + "?sslmode=require", "user", "gateway", "password", "s3cret-canary",
                "pool_size", 16, "connect_timeout", "2s", "statement_timeout", "500ms"));

        assertThat(config.password()).isEqualTo("s3cret-canary");
        assertThat(config.poolSize()).isEqualTo(16);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.statementTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.toString()).doesNotContain("s3cret-canary");
    }

    @Test
    void badValuesFailNamingTheField() {
        assertThatThrownBy(() -> from(Map.of("user", "gateway"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.config.url");
        assertThatThrownBy(() -> from(Map.of("url", URL))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.config.user");
        assertThatThrownBy(() -> from(with("url", "postgres://db/tollgate"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.config.url must start with jdbc:postgresql://");
        assertThatThrownBy(() -> from(with("pool_size", 0))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.config.pool_size");
        assertThatThrownBy(() -> from(with("connect_timeout", "10ms"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.config.connect_timeout");
        assertThatThrownBy(() -> from(with("statement_timeout", "2h"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.config.statement_timeout");
        assertThatThrownBy(() -> from(with("pool", 3))).isInstanceOf(ConfigException.class).hasMessageContaining("pool");
    }

    @Test
    void aUrlCarryingCredentialsIsRefusedWithoutEchoingIt() {
        for (String url : new String[] {URL + "?user=x&password=hunter2-canary", "jdbc:postgresql://x:hunter2-canary@db/tollgate"}) {
            assertThatThrownBy(() -> from(with("url", url))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("must not carry credentials").hasMessageNotContaining("hunter2-canary");
        }
    }
}
