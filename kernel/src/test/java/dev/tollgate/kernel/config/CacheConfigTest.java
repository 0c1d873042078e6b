package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheConfigTest {

    private static GatewayConfig parse(String yaml) {
        return new ConfigLoader(new References(Map.<String, String>of()::get, Path.of(".")), Path.of(".")).parse(yaml, null);
    }

    private static final String MODEL = "models: {m: {deployments: [{provider: p, model: x}]%s}}\n";

    @Test
    void absentMeansNoCacheAndNoModelCaches() {
        GatewayConfig c = parse(MODEL.formatted(""));
        assertThat(c.cache().configured()).isFalse();
        assertThat(c.cache().defaults().enabled()).isFalse();
    }

    @Test
    void mapsEveryKeyAndTierForms() {
        GatewayConfig c = parse("""
                cache:
                  tiers: [caffeine, {name: redis, timeout: 250ms, config: {uri: redis://h:6379/0}}]
                  ttl: 10m
                  scope: global
                  max_ttl: 2h
                  max_entry_bytes: 2MiB
                  coalesce: true
                  coalesce_timeout: 5s
                """ + MODEL.formatted(", cache: {scope: key, ttl: 1m}"));
        CacheSettings s = c.cache();
        assertThat(s.tiers()).extracting(t -> t.component().name()).containsExactly("caffeine", "redis");
        assertThat(s.tiers().get(0).timeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.tiers().get(1).timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.tiers().get(1).component().config()).containsEntry("uri", "redis://h:6379/0");
        assertThat(s.tiers().get(1).component().configPath()).isEqualTo("cache.tiers[1].config");
        assertThat(s.defaults()).isEqualTo(new CacheSettings.ModelCacheSettings(true, Duration.ofMinutes(10), CacheSettings.Scope.GLOBAL));
        assertThat(s.maxTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(s.maxEntryBytes()).isEqualTo(2L << 20);
        assertThat(s.coalesce()).isTrue();
        assertThat(s.coalesceTimeout()).isEqualTo(Duration.ofSeconds(5));
        CacheSettings.ModelCacheSettings m = c.models().get("m").cache().over(s.defaults());
        assertThat(m).isEqualTo(new CacheSettings.ModelCacheSettings(true, Duration.ofMinutes(1), CacheSettings.Scope.KEY));
    }

    @Test
    void refusesBadValuesNamingTheKey() {
        assertThatThrownBy(() -> parse("cache: {tiers: [caffeine], scope: everyone}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cache.scope").hasMessageContaining("key, team or global");
        assertThatThrownBy(() -> parse("cache: {tiers: [caffeine, caffeine]}\n")).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> parse("cache: {tier: [caffeine]}\n")).hasMessageContaining("cache.tier");
        assertThatThrownBy(() -> parse("cache: {tiers: [{name: caffeine, size: 1}]}\n")).hasMessageContaining("cache.tiers[0].size");
        assertThatThrownBy(() -> parse(MODEL.formatted(", cache: {enabled: true}"))).hasMessageContaining("models.m.cache.enabled")
                .hasMessageContaining("no tiers");
        assertThatThrownBy(() -> parse(MODEL.formatted(", cache: {ttl: 0s}"))).hasMessageContaining("models.m.cache.ttl");
    }
}
