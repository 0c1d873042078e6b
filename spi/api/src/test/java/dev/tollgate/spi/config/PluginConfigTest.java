package dev.tollgate.spi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PluginConfigTest {

    @Test
    void readsTypedValuesAndAcceptsStringsFromEnvironmentReferences() {
        PluginConfig c = PluginConfig.of("p", Map.of("n", "42", "b", "true", "d", "250ms", "f", 0.5, "l", List.of("a", 1),
                "m", Map.of("k", "v"), "s", Map.of("x", 1)));
        assertThat(c.longValue("n", 0)).isEqualTo(42);
        assertThat(c.booleanValue("b", false)).isTrue();
        assertThat(c.duration("d", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(c.doubleValue("f", 0)).isEqualTo(0.5);
        assertThat(c.stringList("l")).containsExactly("a", "1");
        assertThat(c.stringMap("m")).containsEntry("k", "v");
        assertThat(c.section("s").intValue("x", 0)).isEqualTo(1);
        assertThat(c.string("absent", "dflt")).isEqualTo("dflt");
        c.requireAllRead();
    }

    @Test
    void anUnreadKeyFailsNamingItsPathAndTheAllowedKeys() {
        PluginConfig c = PluginConfig.of("models.m.deployments[0].config", Map.of("ttft", "1s", "bogus", 1));
        c.duration("ttft", Duration.ZERO);
        c.intValue("response_tokens", 16);
        assertThatThrownBy(c::requireAllRead).isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.m.deployments[0].config.bogus")
                .hasMessageContaining("response_tokens").hasMessageContaining("ttft");
    }

    @Test
    void aMissingRequiredKeyAndAWrongTypeNameThePath() {
        PluginConfig c = PluginConfig.of("x", Map.of("n", "many"));
        assertThatThrownBy(() -> c.string("api_base")).hasMessageContaining("x.api_base");
        assertThatThrownBy(() -> c.longValue("n", 0)).hasMessageContaining("x.n").hasMessageContaining("integer");
        assertThatThrownBy(() -> PluginConfig.parseDuration("t", "soon")).hasMessageContaining("500ms");
    }

    @Test
    void aSecretValueIsNeverShownInAnError() {
        PluginConfig c = PluginConfig.of("x", Map.of("api_key", List.of("sk-secret")), Set.of("api_key"));
        assertThatThrownBy(() -> c.string("api_key")).hasMessageContaining("x.api_key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-secret"));
    }
}
