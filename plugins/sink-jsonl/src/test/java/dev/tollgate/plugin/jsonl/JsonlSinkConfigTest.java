package dev.tollgate.plugin.jsonl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonlSinkConfigTest {

    private static final Path DATA = Path.of("/srv/tollgate/data");
    private static final String PATH = "logging.sinks[0].config";

    private static JsonlSinkConfig parse(Map<String, Object> values) {
        return JsonlSinkConfig.from(PluginConfig.of(PATH, values), DATA);
    }

    @Test
    void defaultsWriteDailyFilesUnderTheDataFolderSyncedPerBatch() {
        JsonlSinkConfig c = parse(Map.of());
        assertThat(c.dir()).isEqualTo(DATA.resolve("logs"));
        assertThat(c.timeZone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(c.maxFileBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(c.retentionDays()).isEqualTo(30);
        assertThat(c.fsync()).isEqualTo(JsonlSinkConfig.Fsync.BATCH);
    }

    @Test
    void mapsEveryKey() {
        JsonlSinkConfig c = parse(Map.of("dir", "/var/log/tollgate", "time_zone", "Europe/Paris", "max_file_bytes", "64MiB",
                "retention_days", "7", "fsync", "never"));
        assertThat(c.dir()).isEqualTo(Path.of("/var/log/tollgate"));
        assertThat(c.timeZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(c.maxFileBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(c.retentionDays()).isEqualTo(7);
        assertThat(c.fsync()).isEqualTo(JsonlSinkConfig.Fsync.NEVER);
        assertThat(parse(Map.of("dir", "requests")).dir()).as("relative to the data folder").isEqualTo(DATA.resolve("requests"));
        assertThat(parse(Map.of("max_file_bytes", 1000)).maxFileBytes()).isEqualTo(1000);
        assertThat(parse(Map.of("max_file_bytes", "2GiB")).maxFileBytes()).isEqualTo(2L << 30);
    }

    @Test
    void anFsyncPolicyOtherThanBatchOrNeverIsAConfigErrorNamingTheKey() {
        assertThatThrownBy(() -> parse(Map.of("fsync", "always"))).isInstanceOf(ConfigException.class)
                .hasMessage(PATH + ".fsync must be batch or never, not 'always'");
        assertThatThrownBy(() -> parse(Map.of("fsync", true))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".fsync must be batch or never");
    }

    @Test
    void badValuesAreConfigErrorsNamingTheKey() {
        assertThatThrownBy(() -> parse(Map.of("max_file_bytes", "lots"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".max_file_bytes must be a size");
        assertThatThrownBy(() -> parse(Map.of("max_file_bytes", 0))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".max_file_bytes must be positive");
        assertThatThrownBy(() -> parse(Map.of("retention_days", -1))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".retention_days must be 0");
        assertThatThrownBy(() -> parse(Map.of("time_zone", "Mars/Olympus"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(PATH + ".time_zone must be a time zone");
        assertThatThrownBy(() -> parse(Map.of("rotate", "daily"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key " + PATH + ".rotate").hasMessageContaining("fsync");
    }
}
