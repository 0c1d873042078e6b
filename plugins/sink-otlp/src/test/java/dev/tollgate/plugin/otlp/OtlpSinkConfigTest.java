package dev.tollgate.plugin.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OtlpSinkConfigTest {

    private static final String PATH = "logging.sinks[1].config";

    private static OtlpSinkConfig parse(Map<String, Object> values) {
        return OtlpSinkConfig.from(PluginConfig.of(PATH, values, Set.of(OtlpSinkConfig.AUTHORIZATION)));
    }

    @Test
    void defaultsSendToALocalCollectorUncompressedWithinTenSeconds() {
        OtlpSinkConfig c = parse(Map.of());
        assertThat(c.endpoint()).isEqualTo(URI.create("http://127.0.0.1:4318/v1/traces"));
        assertThat(c.headers()).isEmpty();
        assertThat(c.authorization()).isEmpty();
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.serviceName()).isEqualTo("tollgate");
        assertThat(c.compression()).isEqualTo(OtlpSinkConfig.Compression.NONE);
        assertThat(c.allHeaders()).isEmpty();
    }

    @Test
    void mapsEveryKey() {
        OtlpSinkConfig c = parse(Map.of("endpoint", "https://otel.example.com:4318/custom/traces", "headers",
                Map.of("x-tenant", "acme", "x-scope", 7), "authorization", "Bearer s3cret", "timeout", "2s", "service_name",
                "gateway-eu", "compression", "gzip"));
        assertThat(c.endpoint()).isEqualTo(URI.create("https://otel.example.com:4318/custom/traces"));
        assertThat(c.headers()).isEqualTo(Map.of("x-tenant", "acme", "x-scope", "7"));
        assertThat(c.authorization()).isEqualTo(Optional.of("Bearer s3cret"));
        assertThat(c.allHeaders()).containsEntry("Authorization", "Bearer s3cret").containsEntry("x-tenant", "acme");
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.serviceName()).isEqualTo("gateway-eu");
        assertThat(c.compression()).isEqualTo(OtlpSinkConfig.Compression.GZIP);
    }

    @Test
    void anEndpointWithoutAPathGetsTheTracesPath() {
        assertThat(parse(Map.of("endpoint", "http://collector:4318")).endpoint()).isEqualTo(URI.create("http://collector:4318/v1/traces"));
        assertThat(parse(Map.of("endpoint", "http://collector:4318/")).endpoint())
                .isEqualTo(URI.create("http://collector:4318/v1/traces"));
    }

    @Test
    void theAuthorizationValueNeverAppearsInTheConfigsText() {
        OtlpSinkConfig c = parse(Map.of("authorization", "Bearer s3cret", "headers", Map.of("x-api-key", "k3y")));
        assertThat(c.toString()).doesNotContain("s3cret").doesNotContain("k3y").contains("x-api-key");
    }

    @Test
    void badEndpointsAreConfigErrorsNamingTheKey() {
        assertThatThrownBy(() -> parse(Map.of("endpoint", "grpc://collector:4317"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".endpoint must be an http:// or https:// URL");
        assertThatThrownBy(() -> parse(Map.of("endpoint", "collector:4318"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".endpoint must be an http:// or https:// URL");
        assertThatThrownBy(() -> parse(Map.of("endpoint", "http://a b"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".endpoint is not a URL");
        assertThatThrownBy(() -> parse(Map.of("endpoint", "http://user:pw@collector:4318/v1/traces")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + ".endpoint must not hold credentials")
                .hasMessageNotContaining("pw");
    }

    @Test
    void badValuesAreConfigErrorsNamingTheKey() {
        assertThatThrownBy(() -> parse(Map.of("compression", "zstd"))).isInstanceOf(ConfigException.class)
                .hasMessage(PATH + ".compression must be none or gzip, not 'zstd'");
        assertThatThrownBy(() -> parse(Map.of("timeout", "0s"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".timeout must be more than 0");
        assertThatThrownBy(() -> parse(Map.of("timeout", "1h"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".timeout must be more than 0 and at most 5m");
        assertThatThrownBy(() -> parse(Map.of("timeout", "soon"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".timeout must be a duration");
        assertThatThrownBy(() -> parse(Map.of("service_name", " "))).isInstanceOf(ConfigException.class)
                .hasMessage(PATH + ".service_name must not be empty");
        assertThatThrownBy(() -> parse(Map.of("headers", "x-tenant: acme"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH + ".headers must be a map");
        assertThatThrownBy(() -> parse(Map.of("headers", Map.of("bad header", "v")))).isInstanceOf(ConfigException.class)
                .hasMessage(PATH + ".headers: 'bad header' is not a valid header name");
        assertThatThrownBy(() -> parse(Map.of("headers", Map.of("x-tenant", "a\r\nx-evil: 1")))).isInstanceOf(ConfigException.class)
                .hasMessage(PATH + ".headers.x-tenant must not contain a line break");
        assertThatThrownBy(() -> parse(Map.of("endpoitn", "http://collector:4318"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown key " + PATH + ".endpoitn");
    }

    @Test
    void anAuthorizationHeaderBesideTheSecretKeyIsAConfigError() {
        assertThatThrownBy(() -> parse(Map.of("authorization", "Bearer s3cret", "headers", Map.of("authorization", "Basic x"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(PATH + ".headers has an Authorization header")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void theFactoryDeclaresTheAuthorizationAsASecret() {
        assertThat(new OtlpSinkFactory().secretKeys()).containsExactly("authorization");
        assertThat(new OtlpSinkFactory().name()).isEqualTo("otlp");
        assertThat(new OtlpSinkPlugin().logSinks()).extracting(f -> f.name()).containsExactly("otlp");
    }
}
