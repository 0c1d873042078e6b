package dev.tollgate.kernel.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.codec.RequestBody;
import dev.tollgate.kernel.config.CacheSettings;
import dev.tollgate.kernel.config.CacheSettings.ModelCacheSettings;
import dev.tollgate.kernel.config.CacheSettings.Scope;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.policy.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** {@code cache.keys}: a virtual key's settings over its model's, for a key that must not share or not be cached. */
class PerKeyCacheSettingsTest {

    private static final RequestBody BODY = RequestBody.of(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(StandardCharsets.UTF_8));

    private static final CacheBackend NOTHING = new CacheBackend() {
        @Override
        public CompletionStage<Optional<Bytes>> get(String key) {
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletionStage<Void> put(String key, Bytes value, Duration ttl) {
            return CompletableFuture.completedFuture(null);
        }
    };

    private static Principal key(String id) {
        return Principal.builder().keyId(id).keyName(id).teamId("team_a").teamPath(List.of("team_a")).build();
    }

    @Test
    void aKeysSettingsOverrideItsModels() {
        ModelCacheSettings defaults = new ModelCacheSettings(true, Duration.ofHours(1), Scope.TEAM);
        ResponseCache cache = new ResponseCache(List.of(new ResponseCache.Tier("local", NOTHING, Duration.ofMillis(100))), defaults,
                Map.of(), Duration.ofDays(1), 1 << 20, false, Duration.ofSeconds(30), Clock.systemUTC(), new KernelMetrics())
                .withKeys(Map.of(
                        "key_off", new ModelCacheSettings(false, null, null),
                        "key_private", new ModelCacheSettings(null, Duration.ofMinutes(5), Scope.KEY)));

        ResponseCache.Plan alice = cache.plan("m", WireFormat.OPENAI_CHAT, key("key_alice"), null, null, BODY);
        ResponseCache.Plan bob = cache.plan("m", WireFormat.OPENAI_CHAT, key("key_bob"), null, null, BODY);
        ResponseCache.Plan off = cache.plan("m", WireFormat.OPENAI_CHAT, key("key_off"), null, null, BODY);
        ResponseCache.Plan own = cache.plan("m", WireFormat.OPENAI_CHAT, key("key_private"), null, null, BODY);

        assertThat(alice.key()).as("one team shares answers").isEqualTo(bob.key());
        assertThat(off.lookup()).isFalse();
        assertThat(off.store()).isFalse();
        assertThat(off.status()).isNotEqualTo(CacheStatus.HIT);
        assertThat(own.key()).as("a key-scoped key shares with nobody in its team").isNotEqualTo(alice.key());
        assertThat(own.ttl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(alice.ttl()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void cacheKeysAreReadFromTheConfiguration() {
        var loader = new dev.tollgate.kernel.config.ConfigLoader(new dev.tollgate.kernel.config.References(System::getenv,
                java.nio.file.Path.of(".")), java.nio.file.Path.of("."));
        CacheSettings c = loader.parse("""
                cache:
                  tiers: [local]
                  keys:
                    key_8x2: {enabled: false}
                    key_9y3: {scope: key, ttl: 5m}
                """, null).cache();
        assertThat(c.keys().get("key_8x2").enabled()).isFalse();
        assertThat(c.keys().get("key_9y3").scope()).isEqualTo(Scope.KEY);
        assertThat(c.keys().get("key_9y3").ttl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.keys().get("key_9y3").enabled()).as("inherited").isNull();
    }
}
