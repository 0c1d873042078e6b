package dev.tollgate.plugin.rediscache;

import dev.tollgate.plugin.redis.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.testkit.FakePluginContext;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis tier against a real redis-server this class starts (and stops, to simulate an outage). */
class RedisCacheBackendTest {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.launch();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    private static CacheBackend backend(String uri) {
        return new RedisCachePlugin().cacheBackends().get(0).create(
                PluginConfig.of("cache.tiers[1].config", Map.of("uri", uri, "command_timeout", "500ms", "connect_timeout", "500ms")),
                new FakePluginContext());
    }

    private static Optional<Bytes> get(CacheBackend b, String key) {
        return b.get(key).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** Polls until {@code key} reads back (the connection comes back by itself after an outage). */
    private static Optional<Bytes> getOnceBack(CacheBackend b, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                return get(b, key);
            } catch (CompletionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void storesUnderItsPrefixWithTheTimeToLiveAndRemoves() throws Exception {
        try (CacheBackend b = backend(redis.uri())) {
            b.put("k1", Bytes.utf8("value one"), Duration.ofSeconds(30)).toCompletableFuture().join();
            assertThat(get(b, "k1")).contains(Bytes.utf8("value one"));
            assertThat(get(b, "absent")).isEmpty();
            long pttl = Long.parseLong(redis.command("PTTL tollgate:cache:k1").substring(1));
            assertThat(pttl).isBetween(1L, 30_000L);
            b.remove("k1").toCompletableFuture().join();
            assertThat(get(b, "k1")).isEmpty();
            assertThat(redis.command("EXISTS tollgate:cache:k1")).isEqualTo(":0");
        }
    }

    @Test
    void failsFastWhileRedisIsDownAndWorksAgainWhenItIsBack() throws Exception {
        try (CacheBackend b = backend(redis.uri())) {
            b.put("k2", Bytes.utf8("kept"), Duration.ofMinutes(5)).toCompletableFuture().join();
            redis.stop();
            try {
                assertThatThrownBy(() -> get(b, "k2")).isInstanceOf(CompletionException.class);
                assertThatThrownBy(() -> b.put("k3", Bytes.utf8("x"), Duration.ofMinutes(1)).toCompletableFuture()
                        .orTimeout(5, TimeUnit.SECONDS).join()).isInstanceOf(CompletionException.class);
            } finally {
                redis.start();
            }
            // the restarted server kept nothing (no persistence): the tier answers again, with a miss
            assertThat(getOnceBack(b, "k2")).isEmpty();
        }
    }

    @Test
    void aGatewayStartsWithRedisAwayAndUsesItOnceItIsThere() throws Exception {
        redis.stop();
        CacheBackend b;
        try {
            b = backend(redis.uri());
            assertThatThrownBy(() -> get(b, "k")).isInstanceOf(CompletionException.class);
        } finally {
            redis.start();
        }
        try (b) {
            assertThat(getOnceBack(b, "k")).isEmpty();
            b.put("k", Bytes.utf8("v"), Duration.ofMinutes(1)).toCompletableFuture().join();
            assertThat(get(b, "k")).contains(Bytes.utf8("v"));
        }
    }

    @Test
    void refusesAUriThatIsNotRedisWithoutShowingIt() {
        assertThatThrownBy(() -> backend("http://user:hunter2@host")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cache.tiers[1].config.uri").hasMessageNotContaining("hunter2");
        assertThat(new RedisCachePlugin().cacheBackends().get(0).secretKeys()).containsExactly("uri");
    }
}
