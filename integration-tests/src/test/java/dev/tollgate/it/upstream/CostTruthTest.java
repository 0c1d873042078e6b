package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.it.TestGateway;
import dev.tollgate.plugin.clickhouse.ClickHouseServer;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Cost truth: for one mixed set of requests (non-streamed, streamed, cancelled mid-stream by the
 * client, failed upstream, unpriced model), the sum of costs in the JSONL log = the sum in a real
 * ClickHouse = the spend charged to the key and its team = the cost counter of {@code /metrics},
 * to the micro-dollar, and each sink holds one record per request.
 */
class CostTruthTest {

    private static final String MASTER = "master-key-for-cost-truth-0123456789";
    private static final String UP = "up-model";

    @Test
    void everyPlaceAgreesOnWhatTheRequestsCost() throws Exception {
        WireMockServer upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        Path data = Files.createTempDirectory("tollgate-cost-truth-");
        try (ClickHouseServer clickhouse = ClickHouseServer.launch()) {
            stub(upstream);
            String base = "http://127.0.0.1:" + upstream.port();
            String yaml = """
                    plugins: [provider-openai, sink-jsonl, sink-clickhouse]
                    admin:
                      master_key: ${env:MASTER}
                    governance:
                      allow_unpriced: true
                    logging:
                      sinks:
                        - name: jsonl
                          flush_interval: 10ms
                          config: {dir: logs}
                        - name: clickhouse
                          flush_interval: 10ms
                          config:
                            url: %s
                            password: ${env:CH_PASSWORD}
                    models:
                      priced:
                        deployments:
                          - provider: openai
                            model: %s
                            model_info: {input: 0.15, cached_input: 0.075, output: 0.60}
                            config: {api_base: %s/ok/v1, api_key: "${env:UPSTREAM_KEY}"}
                      priced-slow:
                        deployments:
                          - provider: openai
                            model: %s
                            model_info: {input: 0.15, cached_input: 0.075, output: 0.60}
                            config: {api_base: %s/slow/v1, api_key: "${env:UPSTREAM_KEY}"}
                      priced-failing:
                        deployments:
                          - provider: openai
                            model: %s
                            model_info: {input: 0.15, output: 0.60}
                            config: {api_base: %s/fail/v1, api_key: "${env:UPSTREAM_KEY}"}
                      unpriced:
                        deployments:
                          - provider: openai
                            model: self-hosted-model-without-prices
                            config: {api_base: %s/ok/v1, api_key: "${env:UPSTREAM_KEY}"}
                    """.formatted(clickhouse.url(), UP, base, UP, base, UP, base, base);
            Map<String, String> env = Map.of("MASTER", MASTER, "CH_PASSWORD", ClickHouseServer.PASSWORD, "UPSTREAM_KEY", Upstreams.KEY);
            try (TestGateway g = TestGateway.startIn(data, yaml, env)) {
                String team = Upstreams.JSON.readTree(admin(g, "POST", "/admin/teams", "{\"name\":\"research\"}").body()).get("id").asText();
                JsonNode key = Upstreams.JSON.readTree(admin(g, "POST", "/admin/keys",
                        "{\"name\":\"ci\",\"team_id\":\"" + team + "\",\"limits\":{\"budget\":{\"usd\":\"50.00\",\"period\":\"monthly\"}}}").body());
                String secret = key.get("key").asText();

                int requests = 0;
                for (int i = 0; i < 3; i++) {
                    assertThat(chat(g, secret, "priced", false).statusCode()).isEqualTo(200);
                    assertThat(chat(g, secret, "priced", true).statusCode()).isEqualTo(200);
                    requests += 2;
                }
                assertThat(chat(g, secret, "priced-failing", false).statusCode()).isEqualTo(502);
                assertThat(chat(g, secret, "unpriced", false).statusCode()).isEqualTo(200);
                requests += 2;
                cancelMidStream(g, secret);
                requests++;

                int n = requests;
                awaitTrue(() -> delivered(g, "jsonl") == n && delivered(g, "clickhouse") == n);

                List<JsonNode> lines = jsonl(data.resolve("logs"));
                assertThat(lines).hasSize(n);
                long jsonlMicros = lines.stream().filter(l -> !l.get("cost_micros").isNull()).mapToLong(l -> l.get("cost_micros").asLong()).sum();
                assertThat(jsonlMicros).as("some requests are priced").isGreaterThan(0);
                assertThat(lines.stream().filter(l -> l.get("cost_known").asBoolean()).count()).as("failed, unpriced and cancelled ones are not all priced")
                        .isLessThan(n);

                String ch = clickhouse.query("SELECT count(), sum(cost_micros) FROM tollgate.requests FINAL FORMAT TSV").trim();
                assertThat(ch).isEqualTo(n + "\t" + jsonlMicros);

                awaitTrue(() -> ledger(g, "key") == jsonlMicros);
                assertThat(ledger(g, "team")).isEqualTo(jsonlMicros);
                assertThat(metricsCost(g)).isEqualTo(jsonlMicros);
            }
        } finally {
            upstream.stop();
            TestGateway.deleteTree(data);
        }
    }

    private static void stub(WireMockServer w) {
        String completion = """
                {"id":"c1","object":"chat.completion","created":1700000000,"model":"%s","choices":[{"index":0,\
                "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":12000,"completion_tokens":3000,"total_tokens":15000,\
                "prompt_tokens_details":{"cached_tokens":2000}}}""".formatted(UP);
        w.stubFor(post(urlEqualTo("/ok/v1/chat/completions")).withRequestBody(containing("\"stream\":true")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(sse(7001, 1234))));
        w.stubFor(post(urlEqualTo("/ok/v1/chat/completions")).atPriority(5)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(completion)));
        w.stubFor(post(urlEqualTo("/slow/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(sse(5000, 40)).withChunkedDribbleDelay(40, 4000)));
        w.stubFor(post(urlEqualTo("/fail/v1/chat/completions"))
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.openAiError("boom", "server_error", null, null))));
    }

    private static String sse(int prompt, int completion) {
        StringBuilder b = new StringBuilder();
        b.append("data: ").append(Upstreams.roleChunk(UP)).append("\n\n");
        for (int i = 0; i < 20; i++) {
            b.append("data: ").append(Upstreams.contentChunk(UP, "w" + i)).append("\n\n");
        }
        b.append("data: ").append(Upstreams.finishChunk(UP)).append("\n\n");
        b.append("data: ").append(Upstreams.usageChunk(UP, prompt, completion)).append("\n\n");
        b.append("data: [DONE]\n\n");
        return b.toString();
    }

    private static HttpResponse<String> chat(TestGateway g, String key, String model, boolean stream) throws Exception {
        return Upstreams.http().send(HttpRequest.newBuilder(g.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Upstreams.chatBody(model, stream))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Reads the first bytes of a slow stream, then hangs up. */
    private static void cancelMidStream(TestGateway g, String key) throws Exception {
        HttpResponse<InputStream> r = Upstreams.http().send(HttpRequest.newBuilder(g.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Upstreams.chatBody("priced-slow", true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = r.body()) {
            assertThat(in.read(new byte[16])).isPositive();
        }
    }

    private static HttpResponse<String> admin(TestGateway g, String method, String path, String body) throws Exception {
        HttpResponse<String> r = Upstreams.http().send(HttpRequest.newBuilder(g.uri(path)).header("Authorization", "Bearer " + MASTER)
                .header("Content-Type", "application/json").method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return r;
    }

    private static long ledger(TestGateway g, String groupBy) throws Exception {
        JsonNode spend = Upstreams.JSON.readTree(admin(g, "GET", "/admin/spend?group_by=" + groupBy, null).body());
        long sum = 0;
        for (JsonNode row : spend.get("data")) {
            sum += row.get("micro_usd").asLong();
        }
        return sum;
    }

    private static String metrics(TestGateway g) throws Exception {
        return Upstreams.http().send(HttpRequest.newBuilder(g.uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long metricsCost(TestGateway g) throws Exception {
        return sum(metrics(g), "tollgate_cost_microdollars_total\\{[^}]*}");
    }

    private static long delivered(TestGateway g, String sink) {
        try {
            return sum(metrics(g), "tollgate_log_records_delivered_total\\{sink=\"" + sink + "\"}");
        } catch (Exception e) {
            return -1;
        }
    }

    private static long sum(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\d+)").matcher(text);
        long s = 0;
        while (m.find()) {
            s += Long.parseLong(m.group(1));
        }
        return s;
    }

    private static List<JsonNode> jsonl(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    out.add(Upstreams.JSON.readTree(line));
                }
            }
        }
        return out;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!c.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 30 s");
            }
            Thread.sleep(20);
        }
    }
}
