package dev.tollgate.it.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.it.RunningGateway;
import dev.tollgate.plugin.postgres.PostgresServer;
import dev.tollgate.it.dist.ProcessGateway;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes as on two machines: each its own data directory, both on one real Redis
 * (state-redis: limits, reservations, change notifications) and one real PostgreSQL
 * (store-postgres: keys, teams, the spend ledger). One global limit, one budget, key changes that
 * reach the other instance in under a second, and nothing that lives in either data directory.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TwoInstancesOnRedisAndPostgresTest {

    private static final String MASTER = "two-instances-pg-master-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"priced\",\"max_tokens\":24,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static LocalRedis redis;
    private static PostgresServer postgres;

    /** This test's own database: the tests do not see each other's keys or ledger. */
    private String database;

    @TempDir
    Path dataA;

    @TempDir
    Path dataB;

    @BeforeAll
    static void servers() throws Exception {
        redis = LocalRedis.start();
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopServers() throws Exception {
        try {
            if (redis != null) {
                redis.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @BeforeEach
    void newDatabase() {
        database = postgres.newDatabase();
    }

    /** One instance as its own OS process, keeping its data (none, if all goes well) in {@code data}. */
    private RunningGateway instance(Path data) {
        String yaml = """
                plugins: [provider-mock, state-redis, store-postgres]
                admin: {master_key: '${env:TG_MASTER}'}
                state:
                  backend: redis
                  # two cold JVMs, Redis and PostgreSQL share two cores with the test's bursts of 100: more than the 250 ms default
                  config: {uri: '${env:TG_REDIS}', command_timeout: 3s}
                governance:
                  data_dir: '${env:TG_DATA}'
                  refresh_interval: 1h
                  store:
                    backend: postgres
                    config: {url: '${env:TG_PG_URL}', user: tollgate, password: '${env:TG_PG_PASSWORD}', pool_size: 4}
                models:
                  priced:
                    deployments:
                      - provider: mock
                        model: mock-priced
                        config: {ttft: 0ms, tokens_per_second: 0, response_tokens: 24}
                        model_info: {input: 1000, output: 1000}
                """;
        return ProcessGateway.start(data.resolveSibling(data.getFileName() + "-run"), yaml, Map.of("TG_MASTER", MASTER,
                "TG_REDIS", redis.uri(), "TG_PG_URL", database, "TG_PG_PASSWORD", PostgresServer.PASSWORD, "TG_DATA",
                data.toString()));
    }

    @Test
    void aKeyCreatedOnOneInstanceWorksOnTheOtherWithinASecondAndARevocationLikewise() throws Exception {
        try (RunningGateway a = instance(dataA); RunningGateway b = instance(dataB)) {
            JsonNode key = JSON.readTree(admin(a, "POST", "/admin/keys", "{\"name\":\"roaming\"}").body());
            String secret = key.get("key").asText();

            long reachedB = millisUntil(() -> chat(b, secret).statusCode() == 200);
            assertThat(admin(b, "POST", "/admin/keys/" + key.get("id").asText() + "/revoke", null).statusCode()).isEqualTo(200);
            long revokedOnA = millisUntil(() -> chat(a, secret).statusCode() == 401);

            assertThat(reachedB).as("ms until B accepted the key made on A").isLessThan(1000);
            assertThat(revokedOnA).as("ms until A refused the key revoked on B").isLessThan(1000);
            assertThat(dataA.resolve("governance.db")).as("keys live in PostgreSQL, not in A's data directory").doesNotExist();
            assertThat(dataB.resolve("governance.db")).doesNotExist();
        }
    }

    @Test
    void fiftyConcurrentRequestsAcrossBothInstancesMeetOneRequestsPerMinuteLimitOfTen() throws Exception {
        try (RunningGateway a = instance(dataA); RunningGateway b = instance(dataB)) {
            for (int attempt = 0; ; attempt++) {
                String team = id(admin(a, "POST", "/admin/teams", "{\"name\":\"t" + attempt + "\",\"limits\":{\"rpm\":10}}"));
                String secret = JSON.readTree(admin(a, "POST", "/admin/keys", "{\"name\":\"k" + attempt + "\",\"team_id\":\"" + team
                        + "\"}").body()).get("key").asText();
                Instant before = Instant.now();
                // the probe that waits for the key on B is admitted: one of the ten
                List<HttpResponse<String>> probe = new ArrayList<>();
                millisUntil(() -> record(probe, chat(b, secret)).statusCode() != 401);
                List<HttpResponse<String>> answers = burst(a, b, secret, 50);
                // a burst across a minute boundary meets two windows: go again
                if (!before.truncatedTo(ChronoUnit.MINUTES).equals(Instant.now().truncatedTo(ChronoUnit.MINUTES)) && attempt < 2) {
                    continue;
                }
                long admitted = answers.stream().filter(r -> r.statusCode() == 200).count()
                        + probe.stream().filter(r -> r.statusCode() == 200).count();
                long limited = answers.stream().filter(r -> r.statusCode() == 429).count();
                assertThat(admitted).as("admitted across both instances, the probe included").isEqualTo(10);
                assertThat(limited).isEqualTo(50 - (10 - probe.stream().filter(r -> r.statusCode() == 200).count()));
                HttpResponse<String> refused = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
                assertThat(refused.headers().firstValue("retry-after")).isPresent();
                assertThat(refused.body()).contains("requests-per-minute");
                return;
            }
        }
    }

    @Test
    void oneBudgetAcrossBothInstancesIsNeverOverspentAndThePostgresLedgerAddsUpToTheMicroDollar() throws Exception {
        try (RunningGateway a = instance(dataA); RunningGateway b = instance(dataB)) {
            // what one request costs, on a key of its own
            String meter = JSON.readTree(admin(a, "POST", "/admin/keys", "{\"name\":\"meter\"}").body()).get("key").asText();
            HttpResponse<String> metered = chat(a, meter);
            assertThat(metered.statusCode()).as(metered.body()).isEqualTo(200);
            long oneRequest = micros(metered);
            long budget = 10 * oneRequest;
            String team = id(admin(a, "POST", "/admin/teams", "{\"name\":\"wallet\",\"limits\":{\"budget\":{\"usd\":\""
                    + BigDecimal.valueOf(budget, 6).toPlainString() + "\",\"period\":\"monthly\"}}}"));
            String secret = JSON.readTree(admin(a, "POST", "/admin/keys", "{\"name\":\"spender\",\"team_id\":\"" + team + "\"}")
                    .body()).get("key").asText();
            List<HttpResponse<String>> answers = new ArrayList<>();
            millisUntil(() -> record(answers, chat(b, secret)).statusCode() != 401);

            answers.addAll(burst(a, b, secret, 100));

            long charged = 0;
            long ok = 0;
            for (HttpResponse<String> r : answers) {
                if (r.statusCode() == 200) {
                    ok++;
                    charged += micros(r);
                } else if (r.statusCode() != 401) {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                    assertThat(r.body()).contains("insufficient_quota");
                }
            }
            assertThat(ok).as("admitted requests").isBetween(1L, 10L);
            long ledgerRequests = ok;
            long ledger = awaitLedger(team, ledgerRequests);
            assertThat(ledger).as("the team's spend in PostgreSQL").isEqualTo(charged).isLessThanOrEqualTo(budget);
            assertThat(spendRow(b, "team", team).path("micro_usd").asLong()).as("the admin API on B reads the same ledger")
                    .isEqualTo(charged);
        }
    }

    @Test
    void restartingBothInstancesOnFreshDataDirectoriesKeepsKeysAndSpend() throws Exception {
        String secret;
        String team;
        long spent;
        try (RunningGateway a = instance(dataA); RunningGateway b = instance(dataB)) {
            team = id(admin(a, "POST", "/admin/teams", "{\"name\":\"durable\"}"));
            secret = JSON.readTree(admin(a, "POST", "/admin/keys", "{\"name\":\"keeper\",\"team_id\":\"" + team + "\"}").body())
                    .get("key").asText();
            millisUntil(() -> chat(b, secret).statusCode() == 200);
            long answered = 1;
            for (int i = 0; i < 4; i++) {
                assertThat(chat(i % 2 == 0 ? a : b, secret).statusCode()).isEqualTo(200);
                answered++;
            }
            spent = awaitLedger(team, answered);
        }
        Path freshA = Files.createTempDirectory(dataA, "again-");
        Path freshB = Files.createTempDirectory(dataB, "again-");
        try (RunningGateway a = instance(freshA); RunningGateway b = instance(freshB)) {
            assertThat(chat(a, secret).statusCode()).as("the key after the restart, on A").isEqualTo(200);
            assertThat(chat(b, secret).statusCode()).as("and on B").isEqualTo(200);
            JsonNode row = spendRow(b, "team", team);
            assertThat(row.path("micro_usd").asLong()).as("spend before the restart is still there")
                    .isGreaterThanOrEqualTo(spent);
            assertThat(admin(a, "GET", "/admin/teams/" + team, null).statusCode()).isEqualTo(200);
        }
    }

    // ---- helpers

    private static <T> T record(List<T> into, T value) {
        into.add(value);
        return value;
    }

    private static long micros(HttpResponse<String> r) {
        return new BigDecimal(r.headers().firstValue("x-tollgate-cost").orElseThrow(() -> new AssertionError("no x-tollgate-cost: "
                + r.headers().map()))).movePointRight(6).longValueExact();
    }

    /** Waits (bounded: settlement is written after the answer) until the team's ledger rows count {@code requests}; their micro-dollars. */
    private long awaitLedger(String team, long requests) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long[] seen = ledger(team);
        while (seen[1] != requests && System.nanoTime() < deadline) {
            Thread.sleep(20);
            seen = ledger(team);
        }
        assertThat(seen[1]).as("requests in the PostgreSQL ledger of team %s", team).isEqualTo(requests);
        return seen[0];
    }

    /** The team's micro-dollars and requests, read from PostgreSQL itself. */
    private long[] ledger(String team) throws Exception {
        try (Connection c = DriverManager.getConnection(database, PostgresServer.USER, PostgresServer.PASSWORD);
                PreparedStatement p = c.prepareStatement("SELECT COALESCE(SUM(micro_usd), 0), COALESCE(SUM(requests), 0)"
                        + " FROM tollgate_spend_bucket WHERE team_id = ? AND key_id = ''")) {
            p.setString(1, team);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    private static JsonNode spendRow(RunningGateway g, String groupBy, String group) throws Exception {
        JsonNode spend = JSON.readTree(admin(g, "GET", "/admin/spend?group_by=" + groupBy, null).body());
        for (JsonNode row : spend.get("data")) {
            if (row.get("group").asText().equals(group)) {
                return row;
            }
        }
        return JSON.createObjectNode();
    }

    private static String id(HttpResponse<String> created) throws Exception {
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("id").asText();
    }

    private static List<HttpResponse<String>> burst(RunningGateway a, RunningGateway b, String secret, int n) {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RunningGateway g = i % 2 == 0 ? a : b;
            calls.add(HTTP.sendAsync(post(g, "/v1/chat/completions", CHAT).header("Authorization", "Bearer " + secret).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return calls.stream().map(CompletableFuture::join).toList();
    }

    private static HttpResponse<String> chat(RunningGateway g, String secret) {
        return GovernanceHttp.send(post(g, "/v1/chat/completions", CHAT).header("Authorization", "Bearer " + secret));
    }

    private static HttpResponse<String> admin(RunningGateway g, String method, String path, String body) {
        return GovernanceHttp.admin(g, MASTER, method, path, body);
    }

    private static HttpRequest.Builder post(RunningGateway g, String path, String body) {
        return HttpRequest.newBuilder(g.uri(path)).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static long millisUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        return GovernanceHttp.millisUntil(condition, Duration.ofMillis(10));
    }
}
