package dev.tollgate.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class RedisStateConfigTest {

    private static RedisStateConfig from(Map<String, ?> values) {
        return RedisStateConfig.from(PluginConfig.of("state.config", values, Set.of("uri")));
    }

    @Test
    void thePluginContributesTheRedisFactoryWhoseUriIsSecret() {
        TollgatePlugin plugin = ServiceLoader.load(TollgatePlugin.class).findFirst().orElseThrow();

        assertThat(plugin).isInstanceOf(RedisStatePlugin.class);
        assertThat(plugin.stateBackends()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("redis");
            assertThat(f.secretKeys()).containsExactly("uri");
        });
    }

    @Test
    void defaultsAreAQuarterSecondAndTheTollgatePrefix() {
        RedisStateConfig config = from(Map.of("uri", "redis://cache.internal:6380/2"));

        assertThat(config.uri().getHost()).isEqualTo("cache.internal");
        assertThat(config.uri().getPort()).isEqualTo(6380);
        assertThat(config.uri().getDatabase()).isEqualTo(2);
        assertThat(config.commandTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.keyPrefix()).isEqualTo("tollgate:");
    }

    @Test
    void everyKeyCanBeSet() {
        RedisStateConfig config = from(Map.of("uri", "rediss://:pw@cache:6379/0", "command_timeout", "1s", "key_prefix", "eu:"));

        assertThat(config.uri().isSsl()).isTrue();
        assertThat(config.commandTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.keyPrefix()).isEqualTo("eu:");
    }

    @Test
    void theUriIsRequired() {
        assertThatThrownBy(() -> from(Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("state.config.uri");
    }

    @Test
    void aBadUriIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> from(Map.of("uri", "http://:hunter2@cache")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("state.config.uri").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> from(Map.of("uri", "redis://:hunter2@")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("state.config.uri").hasMessageNotContaining("hunter2");
    }

    @Test
    void aNonPositiveTimeoutAndUnknownKeysAreRefused() {
        assertThatThrownBy(() -> from(Map.of("uri", "redis://c:6379", "command_timeout", "0ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("state.config.command_timeout must be positive");
        assertThatThrownBy(() -> from(Map.of("uri", "redis://c:6379", "timeout", "1s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key state.config.timeout");
    }
}
