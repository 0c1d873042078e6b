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

    @Test
    void aHiddenKeyIsNamedAndCalledInvalidWithoutItsValueWhateverItsType() {
        String value = "q7Hc2Lw9Rt4Vx1Bn";
        PluginConfig c = PluginConfig.of("m.config", Map.of("read_timeout", value, "retries", value, "ratio", value,
                "flag", value, "base", List.of(value), "size", "99999999999"),
                Set.of("read_timeout", "retries", "ratio", "flag", "base", "size"));
        assertThatThrownBy(() -> c.duration("read_timeout", Duration.ZERO))
                .hasMessage("m.config.read_timeout must be a duration such as 500ms, 30s, 5m or 1h; the value given is invalid"
                        + " (not shown: it is a secret or comes from a reference)");
        assertThatThrownBy(() -> c.longValue("retries", 0))
                .hasMessageStartingWith("m.config.retries must be an integer; the value given is invalid (not shown");
        assertThatThrownBy(() -> c.doubleValue("ratio", 0))
                .hasMessageStartingWith("m.config.ratio must be a number; the value given is invalid (not shown");
        assertThatThrownBy(() -> c.booleanValue("flag", false))
                .hasMessageStartingWith("m.config.flag must be true or false; the value given is invalid (not shown");
        assertThatThrownBy(() -> c.string("base"))
                .hasMessageStartingWith("m.config.base must be a string; the value given is invalid (not shown")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value));
        assertThatThrownBy(() -> c.intValue("size", 0))
                .hasMessageStartingWith("m.config.size is out of range; the value given is invalid (not shown")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("99999999999"));
    }

    @Test
    void aNotHiddenKeyStillShowsItsValue() {
        PluginConfig c = PluginConfig.of("m.config", Map.of("read_timeout", "soon"), Set.of("api_key"));
        assertThatThrownBy(() -> c.duration("read_timeout", Duration.ZERO)).hasMessageEndingWith("not 'soon'");
    }

    @Test
    void aHiddenNestedKeyStaysHiddenInItsSection() {
        PluginConfig c = PluginConfig.of("m.config", Map.of("retry", Map.of("backoff", "q7Hc2Lw9Rt4Vx1Bn", "max", "x")),
                Set.of("retry", "retry.backoff"));
        PluginConfig retry = c.section("retry");
        assertThatThrownBy(() -> retry.duration("backoff", Duration.ZERO)).hasMessageContaining("m.config.retry.backoff")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("q7Hc2Lw9Rt4Vx1Bn"));
        assertThatThrownBy(() -> retry.longValue("max", 0)).hasMessageEndingWith("not 'x'");
        PluginConfig scalar = PluginConfig.of("m.config", Map.of("retry", "q7Hc2Lw9Rt4Vx1Bn"), Set.of("retry"));
        assertThatThrownBy(() -> scalar.section("retry")).hasMessageContaining("m.config.retry must be a map;")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("q7Hc2Lw9Rt4Vx1Bn"));
    }
}
