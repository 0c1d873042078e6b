package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponsesConfigTest {

    private static final String MODEL = "models: {m: {deployments: [{provider: p, model: x}]}}\n";

    private static ResponsesSettings parse(String yaml) {
        return new ConfigLoader(new References(Map.<String, String>of()::get, Path.of(".")), Path.of(".")).parse(yaml + MODEL, null)
                .responses();
    }

    @Test
    void absentMeansStoredForThirtyDaysVisibleToTheKey() {
        ResponsesSettings s = parse("");
        assertThat(s).isEqualTo(ResponsesSettings.DEFAULTS);
        assertThat(s.store()).isTrue();
        assertThat(s.visibility()).isEqualTo(ResponsesSettings.Visibility.KEY);
        assertThat(s.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(s.maxChain()).isEqualTo(100);
        assertThat(s.maxTurnBytes()).isEqualTo(1L << 20);
        assertThat(s.purgeInterval()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void mapsEveryKey() {
        ResponsesSettings s = parse("responses: {store: on, visibility: team, retention: 7d, max_chain: 20, max_turn_bytes: 2MiB,"
                + " purge_interval: 1m}\n");
        assertThat(s).isEqualTo(new ResponsesSettings(true, ResponsesSettings.Visibility.TEAM, Duration.ofDays(7), 20, 2L << 20,
                Duration.ofMinutes(1)));
        assertThat(parse("responses: {retention: 12h}\n").retention()).isEqualTo(Duration.ofHours(12));
        assertThat(parse("responses: {retention: none}\n").retention()).isNull();
        assertThat(parse("responses: {store: off}\n").store()).isFalse();
        assertThat(parse("responses: {store: 'off'}\n").store()).isFalse();
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> parse("responses: {store: maybe}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("responses.store must be on or off");
        assertThatThrownBy(() -> parse("responses: {visibility: world}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("responses.visibility must be key or team");
        assertThatThrownBy(() -> parse("responses: {retention: soon}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("responses.retention");
        assertThatThrownBy(() -> parse("responses: {retention: 0d}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("responses.retention must be a positive duration");
        assertThatThrownBy(() -> parse("responses: {max_chain: 0}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("responses.max_chain must be between 1 and 10000");
        assertThatThrownBy(() -> parse("responses: {colour: red}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key responses.colour");
    }
}
