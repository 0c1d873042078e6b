package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution with governance on, killed with SIGKILL and started again on the same
 * {@code governance.data_dir}: keys still authenticate, no spend settled well before the kill is
 * lost, nothing is invented, and a team's budget counter is restored from the ledger.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class GovernanceCrashProcessTest {

    private static final Duration READY_LIMIT = Duration.ofSeconds(30);
    private static final String MASTER = "crash-test-master-key-7f3a9c";
    /** Settlement is written when a request ends, asynchronously: answers older than this at the kill must be durable. */
    private static final Duration SETTLED_MARGIN = Duration.ofMillis(500);
    /** The kill waits for an answer at most this old: the gateway is serving, not stalled. */
    private static final Duration SERVING = Duration.ofMillis(50);
    /** SIGKILL as a child's exit value. */
    private static final int KILLED = 128 + 9;
    private static final Pattern WORST_CASE = Pattern.compile("worst-case cost of \\$(\\d+\\.\\d{6})");

    @TempDir
    Path dir;

    @TempDir
    Path data;

    private final HttpClient client = Dist.client();
    private final List<GatewayProcess> started = new ArrayList<>();
    private final List<ChatLoad> loads = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        loads.forEach(ChatLoad::close);
        started.forEach(GatewayProcess::close);
        client.shutdownNow();
    }

    /**
     * 8 clients load the gateway for about 2 s; it is killed with SIGKILL while requests are in
     * flight (and answers are arriving) and started again. The key still works, every answer received at least 500 ms
     * before the kill is in the key's and the team's ledger sums at the cost its {@code x-tollgate-cost}
     * said, and the sums hold no more than the requests sent, each at most the cost of one answer.
     */
    @Test
    void aKillMidLoadLosesNoSettledSpendAndTheKeyStillWorks() throws Exception {
        Path config = writeConfig();
        int port = Dist.freePort();
        GatewayProcess first = start(config, port, "first");
        assertThat(first.process().toHandle().info().command()).as("bin/tollgate execs java, so the pid is the JVM's")
                .hasValueSatisfying(c -> assertThat(Path.of(c).getFileName().toString()).isEqualTo("java"));
        String team = id(admin(port, "POST", "/admin/teams",
                "{\"name\":\"load\",\"limits\":{\"budget\":{\"usd\":\"1000000\",\"period\":\"none\"}}}", 201));
        JsonNode created = Dist.json(admin(port, "POST", "/admin/keys", "{\"name\":\"load-key\",\"team_id\":\"" + team + "\"}", 201));
        String keyId = created.path("id").asText();
        String key = created.path("key").asText();

        ChatLoad load = ChatLoad.start(port, key, "priced", 8);
        loads.add(load);
        awaitLoad(load, first);
        awaitServingWithRequestsInFlight(load);
        long killedAt = System.nanoTime();
        first.process().destroyForcibly();
        assertThat(first.awaitExit(Duration.ofSeconds(10))).as("killed by SIGKILL").isEqualTo(KILLED);
        assertThat(load.stop(Duration.ofSeconds(30))).as("every client thread ended").isTrue();
        assertThat(load.cutOff()).as("requests were in flight when the gateway was killed").isPositive();
        assertThat(first.output()).as("no ledger write failed before the kill").doesNotContain("could not record the spend");

        List<ChatLoad.Answer> answers = load.answers();
        assertThat(answers).as("every answer before the kill").allSatisfy(a -> {
            assertThat(a.status()).as("status of %s", a.requestId()).isEqualTo(200);
            assertThat(a.echoedRequestId()).as("x-request-id").isEqualTo(a.requestId());
            assertThat(a.cost()).as("x-tollgate-cost of %s", a.requestId()).matches("\\d+\\.\\d{6}");
        });
        Map<String, Long> answeredCost = new HashMap<>();
        answers.forEach(a -> answeredCost.put(a.requestId(), micros(a.cost())));
        long maxCost = answeredCost.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        long cutOffAt = killedAt - SETTLED_MARGIN.toNanos();
        List<ChatLoad.Answer> settled = answers.stream().filter(a -> a.receivedNanos() <= cutOffAt).toList();
        assertThat(settled).as("answers received %s before the kill", SETTLED_MARGIN).isNotEmpty();
        long settledSum = settled.stream().mapToLong(a -> answeredCost.get(a.requestId())).sum();
        var sent = load.sent();

        int port2 = Dist.freePort();
        start(config, port2, "second");
        JsonNode keyRow = spendRow(port2, "key", keyId);
        JsonNode teamRow = spendRow(port2, "team", team);
        long spent = keyRow.path("micro_usd").asLong();
        long recorded = keyRow.path("requests").asLong();
        String counts = "%d sent, %d answered, %d answered %s before the kill (%d micro-USD), %d requests and %d micro-USD in the ledger"
                .formatted(sent.size(), answers.size(), settled.size(), SETTLED_MARGIN, settledSum, recorded, spent);

        // the ledger keeps sums (per key, team, model and quarter hour), as the admin API reports them:
        // nothing answered well before the kill is lost, nothing is invented
        assertThat(spent).as("the key's spend after the restart covers every answer received %s before the kill (%s)",
                        SETTLED_MARGIN, counts)
                .isGreaterThanOrEqualTo(settledSum);
        assertThat(spent).as("the key's spend is at most every sent request at the highest cost (%s)", counts)
                .isLessThanOrEqualTo(sent.size() * maxCost);
        assertThat(recorded).as(counts).isBetween((long) settled.size(), (long) sent.size());
        assertThat(keyRow.path("unpriced_requests").asLong()).as("every request is priced (%s)", counts).isZero();
        assertThat(teamRow.path("micro_usd").asLong()).as("the team's spend is the key's").isEqualTo(spent);
        assertThat(teamRow.path("requests").asLong()).as("the team's requests are the key's").isEqualTo(recorded);

        // the key still authenticates
        HttpResponse<String> again = chat(port2, key);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.headers().firstValue("x-tollgate-cost")).hasValue(answers.getFirst().cost());
    }

    /**
     * A team spends a known amount, the spend settles, the gateway is killed with SIGKILL and
     * started again. The team's budget counter is the ledger's sum: with a budget of that sum plus
     * one request's worst case less one micro-dollar the next request is refused with
     * {@code insufficient_quota}; with exactly that much it is admitted.
     */
    @Test
    void aKillAfterSettlementRestoresTheTeamsBudgetCounter() throws Exception {
        Path config = writeConfig();
        int port = Dist.freePort();
        GatewayProcess first = start(config, port, "first");
        String team = id(admin(port, "POST", "/admin/teams",
                "{\"name\":\"capped\",\"limits\":{\"budget\":{\"usd\":\"1000\",\"period\":\"none\"}}}", 201));
        String key = Dist.json(admin(port, "POST", "/admin/keys", "{\"name\":\"capped-key\",\"team_id\":\"" + team + "\"}", 201))
                .path("key").asText();
        int requests = 5;
        long spentByAnswers = 0;
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = chat(port, key);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            spentByAnswers += micros(r.headers().firstValue("x-tollgate-cost").orElseThrow());
        }
        awaitLedgerRequests(port, team, requests, first);
        first.process().destroyForcibly();
        assertThat(first.awaitExit(Duration.ofSeconds(10))).as("killed by SIGKILL").isEqualTo(KILLED);

        int port2 = Dist.freePort();
        start(config, port2, "second");
        JsonNode row = spendRow(port2, "team", team);
        assertThat(row.path("requests").asLong()).isEqualTo(requests);
        long spent = row.path("micro_usd").asLong();
        assertThat(spent).as("the ledger after the restart").isEqualTo(spentByAnswers);

        long worstCase = worstCaseOfOneRequest(port2, team, key);
        assertThat(worstCase).as("a request's worst case covers its cost").isGreaterThanOrEqualTo(spent / requests);

        setBudget(port2, team, spent + worstCase - 1);
        HttpResponse<String> refused = chat(port2, key);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(Dist.json(refused.body()).path("error").path("code").asText()).isEqualTo("insufficient_quota");
        assertThat(refused.body()).contains("team 'capped'");

        setBudget(port2, team, spent + worstCase);
        HttpResponse<String> admitted = chat(port2, key);
        assertThat(admitted.statusCode()).as("admitted with exactly the restored spend plus its worst case left: %s", admitted.body())
                .isEqualTo(200);
    }

    // ---- the gateway -------------------------------------------------------------------------

    private Path writeConfig() throws IOException {
        Path config = dir.resolve("governed.yaml");
        Files.writeString(config, """
                server:
                  host: 127.0.0.1
                plugins: [provider-mock]
                admin:
                  master_key: '${env:TG_MASTER}'
                governance:
                  data_dir: '%s'
                models:
                  priced:
                    deployments:
                      - provider: mock
                        model: mock-priced
                        config: {ttft: 0ms, tokens_per_second: 0, response_tokens: 24}
                        model_info: {input: 1000, output: 1000}
                """.formatted(data.toString().replace("'", "''")));
        return config;
    }

    /** Starts the gateway in its own working folder and waits until it is ready. */
    private GatewayProcess start(Path config, int port, String name) throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve(name));
        GatewayProcess g = GatewayProcess.start(work, Map.of("TG_MASTER", MASTER), "--config", config.toString(),
                "--port", String.valueOf(port));
        started.add(g);
        g.awaitReady(port, READY_LIMIT);
        return g;
    }

    /** Waits (bounded) until the load has run about 2 s past its first answer. */
    private static void awaitLoad(ChatLoad load, GatewayProcess gateway) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long firstAnswer = -1;
        while (System.nanoTime() < deadline) {
            assertThat(gateway.process().isAlive()).as("the gateway is alive under load\n%s", gateway.output()).isTrue();
            if (firstAnswer < 0 && load.answered() > 0) {
                firstAnswer = System.nanoTime();
            }
            if (firstAnswer >= 0 && System.nanoTime() - firstAnswer >= TimeUnit.SECONDS.toNanos(2) && load.answered() >= 20) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the load got " + load.answered() + " answers in 30 s\n" + gateway.output());
    }

    /**
     * Waits (bounded) for a moment when requests are in flight and the gateway is answering: its
     * latest answer at most {@link #SERVING} old. On a starved machine the whole gateway process
     * can stall for longer than {@link #SETTLED_MARGIN}, its ledger writes with it; a kill then
     * would measure the stall, not the ledger.
     */
    private static void awaitServingWithRequestsInFlight(ChatLoad load) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (load.inFlight() == 0 || System.nanoTime() - load.lastAnswerNanos() > SERVING.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no moment in 10 s with requests in flight and an answer in the last " + SERVING
                        + " (" + load.inFlight() + " in flight, " + load.answered() + " answered)");
            }
            Thread.onSpinWait();
        }
    }

    private void awaitLedgerRequests(int port, String team, int requests, GatewayProcess gateway) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long seen = 0;
        while (System.nanoTime() < deadline) {
            seen = spendRow(port, "team", team).path("requests").asLong();
            if (seen == requests) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the ledger shows " + seen + " of " + requests + " requests after 10 s\n" + gateway.output());
    }

    // ---- budgets -----------------------------------------------------------------------------

    /** One request's worst-case cost, as the refusal under a budget of one micro-dollar states it. */
    private long worstCaseOfOneRequest(int port, String team, String key) throws Exception {
        setBudget(port, team, 1);
        HttpResponse<String> r = chat(port, key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        Matcher m = WORST_CASE.matcher(Dist.json(r.body()).path("error").path("message").asText());
        assertThat(m.find()).as("the refusal states the worst-case cost: %s", r.body()).isTrue();
        return micros(m.group(1));
    }

    private void setBudget(int port, String team, long micros) throws Exception {
        JsonNode t = Dist.json(admin(port, "PATCH", "/admin/teams/" + team,
                "{\"limits\":{\"budget\":{\"usd\":\"" + BigDecimal.valueOf(micros, 6).toPlainString() + "\",\"period\":\"none\"}}}", 200));
        assertThat(t.path("limits").path("budget").path("micro_usd").asLong()).isEqualTo(micros);
    }

    // ---- HTTP --------------------------------------------------------------------------------

    private HttpResponse<String> chat(int port, String key) throws IOException, InterruptedException {
        String body = "{\"model\":\"priced\",\"max_tokens\":24,\"messages\":[{\"role\":\"user\",\"content\":\"say something\"}]}";
        return client.send(HttpRequest.newBuilder(Dist.uri(port, "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An admin call that must answer {@code status}; its body. */
    private String admin(int port, String method, String path, String body, int status) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(Dist.uri(port, path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + MASTER)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(status);
        return r.body();
    }

    /** The spend row of one key or team ({@code group_by}); zeros when it has none. */
    private JsonNode spendRow(int port, String groupBy, String id) throws IOException, InterruptedException {
        JsonNode rows = Dist.json(admin(port, "GET", "/admin/spend?group_by=" + groupBy, null, 200)).path("data");
        for (JsonNode row : rows) {
            if (row.path("group").asText().equals(id)) {
                return row;
            }
        }
        return Dist.json("{\"group\":\"" + id + "\",\"micro_usd\":0,\"requests\":0}");
    }

    private static String id(String body) {
        return Dist.json(body).path("id").asText();
    }

    private static long micros(String usd) {
        return new BigDecimal(usd).movePointRight(6).longValueExact();
    }
}
