package dev.tollgate.plugin.caffeine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.ManualTime;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaffeineCacheBackendTest {

    private final ManualTime time = new ManualTime();
    private final FakePluginContext context = new FakePluginContext("cache-caffeine", time, null);

    private CacheBackend backend(Map<String, Object> config) {
        return new CaffeineCachePlugin().cacheBackends().get(0).create(PluginConfig.of("cache.tiers[0].config", config), context);
    }

    private static Optional<Bytes> get(CacheBackend b, String key) {
        return b.get(key).toCompletableFuture().join();
    }

    private static void put(CacheBackend b, String key, Bytes value, Duration ttl) {
        b.put(key, value, ttl).toCompletableFuture().join();
    }

    @Test
    void returnsWhatWasStoredUntilItsOwnTimeToLiveEnds() {
        CacheBackend b = backend(Map.of());
        put(b, "short", Bytes.utf8("s"), Duration.ofSeconds(10));
        put(b, "long", Bytes.utf8("l"), Duration.ofMinutes(10));
        assertThat(get(b, "short")).contains(Bytes.utf8("s"));

        time.advance(Duration.ofSeconds(11));
        assertThat(get(b, "short")).isEmpty();
        assertThat(get(b, "long")).contains(Bytes.utf8("l"));
        time.advance(Duration.ofMinutes(10));
        assertThat(get(b, "long")).isEmpty();
        ((CaffeineCacheBackend) b).cleanUp();
        assertThat(context.metrics().counterValue("evictions_total", "expired")).isEqualTo(2);
    }

    @Test
    void staysWithinItsBytesEvictingEntriesAndCountingThem() {
        CacheBackend b = backend(Map.of("max_bytes", "64KiB"));
        byte[] kib = new byte[1024];
        for (int i = 0; i < 200; i++) {
            put(b, "k" + i, Bytes.copyOf(kib), Duration.ofHours(1));
        }
        ((CaffeineCacheBackend) b).cleanUp();
        assertThat(context.metrics().gaugeValue("bytes")).isBetween(1L, 64L * 1024);
        assertThat(context.metrics().gaugeValue("entries")).isLessThan(64);
        assertThat(context.metrics().counterValue("evictions_total", "size")).isGreaterThan(136);
        long present = 0;
        for (int i = 0; i < 200; i++) {
            present += get(b, "k" + i).isPresent() ? 1 : 0;
        }
        assertThat(present).isEqualTo(context.metrics().gaugeValue("entries"));
    }

    @Test
    void removeDropsAnEntryAndReplacingOneRestartsItsTimeToLive() {
        CacheBackend b = backend(Map.of());
        put(b, "k", Bytes.utf8("one"), Duration.ofSeconds(10));
        time.advance(Duration.ofSeconds(8));
        put(b, "k", Bytes.utf8("two"), Duration.ofSeconds(10));
        time.advance(Duration.ofSeconds(8));
        assertThat(get(b, "k")).contains(Bytes.utf8("two"));
        b.remove("k").toCompletableFuture().join();
        assertThat(get(b, "k")).isEmpty();
        assertThat(b.remove("absent").toCompletableFuture()).isCompleted();
    }

    @Test
    void refusesAMaxBytesThatIsNotASizeAndUnknownKeys() {
        assertThatThrownBy(() -> backend(Map.of("max_bytes", "lots"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cache.tiers[0].config.max_bytes");
        assertThatThrownBy(() -> backend(Map.of("max_bytes", "1"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("between 1KiB");
        assertThatThrownBy(() -> backend(Map.of("max_entries", 5))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_entries");
        assertThat(CaffeineCacheConfig.from(PluginConfig.of("c", Map.of("max_bytes", "2MiB"))).maxBytes()).isEqualTo(2L << 20);
        assertThat(CaffeineCacheConfig.from(PluginConfig.of("c", Map.of())).maxBytes()).isEqualTo(64L << 20);
    }
}
