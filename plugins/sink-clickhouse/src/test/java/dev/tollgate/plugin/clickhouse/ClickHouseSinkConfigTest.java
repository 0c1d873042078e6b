package dev.tollgate.plugin.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClickHouseSinkConfigTest {

    private static final String PATH = "logging.sinks[1].config";

    private static ClickHouseSinkConfig parse(Map<String, Object> values) {
        return ClickHouseSinkConfig.from(PluginConfig.of(PATH, values));
    }

    @Test
    void defaultsToALocalServersTollgateRequestsTable() {
        ClickHouseSinkConfig c = parse(Map.of());
        assertThat(c.url()).isEqualTo(URI.create("http://127.0.0.1:8123"));
        assertThat(c.qualifiedTable()).isEqualTo("tollgate.requests");
        assertThat(c.user()).isEmpty();
        assertThat(c.password()).isEmpty();
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void mapsEveryKey() {
        ClickHouseSinkConfig c = parse(Map.of("url", "https://ch.internal:8443/", "database", "gateway", "table", "requests_v1",
                "user", "tollgate", "password", "s3cret", "timeout", "30s", "connect_timeout", "500ms"));
        assertThat(c.url()).isEqualTo(URI.create("https://ch.internal:8443/"));
        assertThat(c.qualifiedTable()).isEqualTo("gateway.requests_v1");
        assertThat(c.user()).isEqualTo(Optional.of("tollgate"));
        assertThat(c.password()).isEqualTo(Optional.of("s3cret"));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void thePasswordIsASecretKey() {
        assertThat(new ClickHouseSinkFactory().secretKeys()).containsExactly("password");
    }

    @Test
    void refusesNamesThatAreNotPlainIdentifiers() {
        assertThatThrownBy(() -> parse(Map.of("table", "requests; DROP TABLE x"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".table must be a plain name");
        assertThatThrownBy(() -> parse(Map.of("database", "1db"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".database must be a plain name");
    }

    @Test
    void refusesAUrlWithCredentialsWithoutShowingThem() {
        assertThatThrownBy(() -> parse(Map.of("url", "http://admin:hunter2@127.0.0.1:8123"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".url must not hold credentials").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> parse(Map.of("url", "ftp://x"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> parse(Map.of("url", "http://h:8123/?database=x"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no query");
    }

    @Test
    void refusesNonPositiveTimeoutsAndUnknownKeys() {
        assertThatThrownBy(() -> parse(Map.of("timeout", "0s"))).isInstanceOf(ConfigException.class)
                .hasMessage(PATH + ".timeout must be positive");
        assertThatThrownBy(() -> parse(Map.of("async_insert", true))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key " + PATH + ".async_insert");
    }
}
