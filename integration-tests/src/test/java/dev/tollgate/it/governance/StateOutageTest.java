package dev.tollgate.it.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.it.TestGateway;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One gateway on a real Redis (state-redis) that goes away and comes back: with the default
 * {@code governance.on_state_outage}, a key governed only by a requests-per-minute limit is served
 * unenforced and marked degraded, a key under a budget is refused with 503, both answer at once
 * without threads piling up, and both are governed normally again once Redis is back.
 */
class StateOutageTest {

    private static final String MASTER = "state-outage-master-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"priced\",\"max_tokens\":24,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String DEGRADED = "x-tollgate-governance";
    private static final int RPM = 5;

    @TempDir
    Path data;

    private LocalRedis redis;
    private TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        redis = LocalRedis.start();
        gateway = TestGateway.startIn(data, """
                plugins: [provider-mock, state-redis]
                admin: {master_key: '${env:TG_MASTER}'}
                state:
                  backend: redis
                  config: {uri: '${env:TG_REDIS}'}
                governance: {refresh_interval: 1h}
                models:
                  priced:
                    deployments:
                      - provider: mock
                        model: mock-priced
                        config: {ttft: 0ms, tokens_per_second: 0, response_tokens: 24}
                        model_info: {input: 1, output: 1}
                """, Map.of("TG_MASTER", MASTER, "TG_REDIS", redis.uri()));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void rateLimitsDegradeBudgetsRefuseAndBothAreGovernedAgainOnceRedisIsBack() throws Exception {
        String limited = keyUnderTeam("bursty", "{\"rpm\":" + RPM + "}");
        String budgeted = keyUnderTeam("wallet", "{\"budget\":{\"usd\":\"100.00\",\"period\":\"monthly\"}}");
        assertGoverned(chat(limited));
        assertGoverned(chat(budgeted));

        redis.stop();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            List<HttpResponse<String>> limitedAnswers = new ArrayList<>();
            List<HttpResponse<String>> budgetedAnswers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                limitedAnswers.add(chat(limited));
                budgetedAnswers.add(chat(budgeted));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("20 requests while Redis is down, round %d", round).isLessThan(Duration.ofSeconds(5));
            assertThat(limitedAnswers).as("more than the rpm limit of %d, all served unenforced", RPM).allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue(DEGRADED)).contains("degraded");
                assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
            });
            assertThat(budgetedAnswers).allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("governance_unavailable").contains("the shared state is unreachable")
                        .doesNotContain("127.0.0.1").doesNotContain(redis.uri());
                assertThat(r.headers().firstValue("retry-after")).isPresent();
            });
            assertThat(ManagementFactory.getThreadMXBean().getThreadCount())
                    .as("live threads after round %d", round).isLessThanOrEqualTo(threadsBefore + 8);
        }
        assertThat(metrics()).contains("tollgate_governance_degraded_total 30");

        redis.restart();
        long recoveredIn = millisUntil(() -> {
            HttpResponse<String> l = chat(limited);
            HttpResponse<String> b = chat(budgeted);
            return l.statusCode() == 200 && l.headers().firstValue(DEGRADED).isEmpty()
                    && b.statusCode() == 200 && b.headers().firstValue(DEGRADED).isEmpty();
        });
        assertThat(recoveredIn).as("ms until both keys were governed again").isLessThan(5000);

        assertGoverned(chat(budgeted));
        // the poll's last request counted; this minute (or the next, if one began meanwhile) allows RPM in all
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 2 * RPM + 1; i++) {
            HttpResponse<String> r = chat(limited);
            assertThat(r.headers().firstValue(DEGRADED)).isEmpty();
            statuses.add(r.statusCode());
        }
        assertThat(statuses).as("the rpm limit is enforced again").contains(429).containsOnly(200, 429);
    }

    private static void assertGoverned(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue(DEGRADED)).isEmpty();
    }

    private String keyUnderTeam(String team, String limits) throws Exception {
        String teamId = JSON.readTree(admin("POST", "/admin/teams", "{\"name\":\"" + team + "\",\"limits\":" + limits + "}").body())
                .get("id").asText();
        return JSON.readTree(admin("POST", "/admin/keys", "{\"name\":\"" + team + "-key\",\"team_id\":\"" + teamId + "\"}").body())
                .get("key").asText();
    }

    private String metrics() {
        return send(HttpRequest.newBuilder(gateway.uri("/metrics")).timeout(Duration.ofSeconds(10)).GET()).body();
    }

    private HttpResponse<String> chat(String secret) {
        return send(HttpRequest.newBuilder(gateway.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + secret)
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)));
    }

    private HttpResponse<String> admin(String method, String path, String body) {
        HttpResponse<String> r = GovernanceHttp.admin(gateway, MASTER, method, path, body);
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
        return r;
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) {
        return GovernanceHttp.send(b);
    }

    private static long millisUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        return GovernanceHttp.millisUntil(condition, Duration.ofMillis(50));
    }
}
