package dev.tollgate.it.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.it.TestGateway;
import dev.tollgate.it.governance.LocalRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateways from the distribution's plugins on one real redis-server: one with the in-process
 * tier in front of Redis, one on Redis alone. They share answers; while Redis is down both still
 * answer 200 (the local tier keeps serving what it holds, the Redis-only one bypasses); when Redis
 * is back, they share again.
 */
class TwoInstancesShareTheCacheOnRedisTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static LocalRedis redis;

    @BeforeAll
    static void redis() throws Exception {
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private static TestGateway instance(String tiers) {
        return TestGateway.start("""
                plugins: [provider-mock, cache-caffeine, cache-redis]
                server: {auth: none}
                cache:
                  tiers: %s
                models:
                  m:
                    deployments:
                      - provider: mock
                        model: mock-m
                        config: {ttft: 0ms, tokens_per_second: 0, response_tokens: 12}
                """.formatted(tiers), Map.of("TG_REDIS", redis.uri()));
    }

    private static final String LOCAL_AND_REDIS = """
            [{name: caffeine, config: {max_bytes: 16MiB}},
                     {name: redis, timeout: 250ms, config: {uri: '${env:TG_REDIS}', command_timeout: 250ms}}]""";
    private static final String REDIS_ONLY = "[{name: redis, timeout: 250ms, config: {uri: '${env:TG_REDIS}', command_timeout: 250ms}}]";

    private static HttpResponse<String> ask(TestGateway g, String prompt, boolean stream) throws Exception {
        String body = "{\"model\":\"m\"," + (stream ? "\"stream\":true," : "") + "\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(g.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static String cache(HttpResponse<String> r) {
        return r.headers().firstValue("x-tollgate-cache").orElse("-");
    }

    private static String content(HttpResponse<String> r) {
        int at = r.body().indexOf("\"content\":\"");
        return r.body().substring(at + 11, r.body().indexOf('"', at + 11));
    }

    @Test
    void instancesShareEntriesBypassRedisWhileItIsDownAndShareAgainWhenItIsBack() throws Exception {
        try (TestGateway a = instance(LOCAL_AND_REDIS); TestGateway b = instance(REDIS_ONLY)) {
            HttpResponse<String> miss = ask(a, "shared question", false);
            assertThat(cache(miss)).isEqualTo("MISS");
            HttpResponse<String> hit = ask(b, "shared question", false);
            assertThat(cache(hit)).isEqualTo("HIT");
            assertThat(content(hit)).isEqualTo(content(miss));
            assertThat(cache(ask(b, "shared question", true))).as("replayed as a stream too").isEqualTo("HIT");

            redis.stop();
            try {
                for (int i = 0; i < 3; i++) {
                    assertThat(cache(ask(b, "asked during the outage " + i, false))).isEqualTo("BYPASS");
                }
                assertThat(cache(ask(a, "shared question", false))).as("the local tier still serves").isEqualTo("HIT");
                assertThat(cache(ask(a, "new during the outage", false))).isEqualTo("MISS");
                assertThat(cache(ask(a, "new during the outage", false))).as("stored locally").isEqualTo("HIT");
            } finally {
                redis.restart();
            }

            // Redis is back, empty: once the clients have reconnected, an answer one instance stores the other finds
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean shared = false;
            for (int i = 0; !shared && System.nanoTime() < deadline; i++) {
                String prompt = "after the outage " + i;
                ask(a, prompt, false);
                shared = cache(ask(b, prompt, false)).equals("HIT");
                if (!shared) {
                    Thread.sleep(100);
                }
            }
            assertThat(shared).as("shared hits again after Redis came back").isTrue();
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            // the outage's lookups failed fast and were counted; requests just after it may still have bypassed a reconnecting client
            assertThat(metrics.body()).contains("tollgate_cache_tier_lookups_total{tier=\"redis\",result=\"hit\"}")
                    .contains("tollgate_cache_tier_lookups_total{tier=\"redis\",result=\"error\"}")
                    .contains("tollgate_cache_requests_total{model=\"m\",result=\"bypass\"}");
        }
    }
}
