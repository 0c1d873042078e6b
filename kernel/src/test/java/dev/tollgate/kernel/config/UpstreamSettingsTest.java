package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamSettingsTest {

    @TempDir
    Path dir;

    private GatewayConfig parse(String yaml) {
        return new ConfigLoader(new References(Map.<String, String>of()::get, dir), dir).parse(yaml, null);
    }

    @Test
    void defaults() {
        UpstreamSettings u = parse("").upstream();

        assertThat(u).isEqualTo(UpstreamSettings.DEFAULTS);
        assertThat(u.maxResponseBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(u.maxBufferedResponseBytes()).isEqualTo(96L * 1024 * 1024);
        assertThat(u.maxStreamsPerConnection()).isEqualTo(100);
        assertThat(u.maxConnections()).isZero();
    }

    @Test
    void everyKeyIsMapped() {
        UpstreamSettings u = parse("""
                upstream:
                  max_response_bytes: 8MiB
                  max_buffered_response_bytes: 1GiB
                  max_streams_per_connection: 250
                  max_connections: 5000
                """).upstream();

        assertThat(u).isEqualTo(new UpstreamSettings(8L << 20, 1L << 30, 250, 5000));
    }

    @Test
    void theSharedBoundMayNotBeBelowThePerResponseOne() {
        assertThatThrownBy(() -> parse("""
                upstream:
                  max_response_bytes: 64MiB
                  max_buffered_response_bytes: 32MiB
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstream.max_buffered_response_bytes")
                .hasMessageContaining("upstream.max_response_bytes");
    }

    @Test
    void unknownKeysAndBadValuesAreNamed() {
        assertThatThrownBy(() -> parse("upstream:\n  max_response: 1MiB\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("upstream.max_response");
        assertThatThrownBy(() -> parse("upstream:\n  max_response_bytes: lots\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("upstream.max_response_bytes");
        assertThatThrownBy(() -> parse("upstream:\n  max_streams_per_connection: 0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("upstream.max_streams_per_connection");
    }
}
