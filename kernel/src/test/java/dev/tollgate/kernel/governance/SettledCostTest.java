package dev.tollgate.kernel.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.Eventually;
import dev.tollgate.spi.state.Hold;
import dev.tollgate.spi.state.Reservation;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every request settles its real cost, through the running gateway: the spend ledger (the admin
 * API's {@code /admin/spend}) and the team's budget counter in the state backend hold the cost the
 * kernel computed from the provider's usage and the catalog's prices, for buffered and streamed
 * answers, passed through or translated, priced per kind of token, for a client that hangs up
 * mid-stream, and as unknown (never $0) when it cannot be computed.
 */
class SettledCostTest {

    // USD per million tokens of up-priced, so a token costs exactly its price in micro-dollars
    private static final BigDecimal INPUT = new BigDecimal("2.5");
    private static final BigDecimal OUTPUT = new BigDecimal("10.1");
    private static final BigDecimal CACHED_INPUT = new BigDecimal("0.2505");
    private static final BigDecimal CACHE_WRITE = new BigDecimal("3.1245");
    private static final BigDecimal REASONING = new BigDecimal("12.7");
    private static final String BUDGET_PERIOD = "monthly";

    @TempDir
    Path dir;

    private final ScriptedUsagePlugin plugin = new ScriptedUsagePlugin();
    private GovernedGateway gw;
    private String teamId;
    private String keyId;
    private String key;

    @BeforeEach
    void start() throws IOException {
        Path models = Files.writeString(dir.resolve("models.yaml"), "models:\n  up-priced: {input: " + INPUT + ", output: " + OUTPUT
                + ", cached_input: " + CACHED_INPUT + ", cache_write: " + CACHE_WRITE + ", reasoning: " + REASONING + "}\n");
        gw = GovernedGateway.startWith("""
                plugins: [fake, scripted]
                admin: {master_key: '${env:TG_TEST_MASTER}'}
                governance: {allow_unpriced: true}
                state: {backend: recorded}
                models_file: %s
                models:
                  plain:
                    deployments: [{provider: scripted, model: up-priced, config: {input: 4321, output: 1234}}]
                  cached:
                    deployments: [{provider: scripted, model: up-priced,
                                   config: {input: 1000, output: 500, cached: 600, cache_write: 300, reasoning: 200, start_usage: true}}]
                  no-usage:
                    deployments: [{provider: scripted, model: up-priced, config: {input: 10, output: 10, report_usage: false}}]
                  unpriced:
                    deployments: [{provider: scripted, model: up-not-in-catalog, config: {input: 10, output: 10}}]
                  hang-partial:
                    deployments: [{provider: scripted, model: up-priced,
                                   config: {input: 777, output: 50, cached: 100, hang: true, start_usage: true}}]
                  hang-silent:
                    deployments: [{provider: scripted, model: up-priced, config: {input: 777, output: 50, hang: true}}]
                  hang-mute:
                    deployments: [{provider: scripted, model: up-priced, config: {input: 777, output: 50, mute: true}}]
                """.formatted(models), Map.of("scripted", plugin));
        teamId = GovernedGateway.json(gw.admin("POST", "/admin/teams",
                "{\"name\":\"billed\",\"limits\":{\"budget\":{\"usd\":\"100\",\"period\":\"" + BUDGET_PERIOD + "\"}}}").body()).get("id").asText();
        JsonNode created = gw.createKey("{\"name\":\"billed-key\",\"team_id\":\"" + teamId + "\"}");
        keyId = created.get("id").asText();
        key = created.get("key").asText();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    // ---- 1. buffered answers: the ledger is the sum of the x-tollgate-cost headers --------------

    @Test
    void bufferedPassThroughAndTranslatedAnswersSettleTheCostTheirHeadersShow() {
        HttpResponse<String> passThrough = chat("plain", false, false);
        HttpResponse<String> translated = messages("plain", false);

        assertThat(passThrough.statusCode()).as(passThrough.body()).isEqualTo(200);
        assertThat(translated.statusCode()).as(translated.body()).isEqualTo(200);
        long headers = headerMicros(passThrough) + headerMicros(translated);
        // 4321 input at 2.5 and 1234 output at 10.1: 10,802.5 + 12,463.4 = 23,265.9 -> 23,266 each
        assertThat(headerMicros(passThrough)).isEqualTo(micros(4321, 0, 0, 1234, 0)).isEqualTo(23_266L);
        JsonNode row = awaitSpend(2);
        assertThat(row.get("micro_usd").asLong()).isEqualTo(headers);
        assertThat(row.get("unpriced_requests").asLong()).isZero();
        assertThat(row.get("input_tokens").asLong()).isEqualTo(2 * 4321L);
        assertThat(row.get("output_tokens").asLong()).isEqualTo(2 * 1234L);
        assertThat(teamBudgetCounter()).isEqualTo(headers);
    }

    // ---- 2. streams: the usage of the final event ---------------------------------------------

    @Test
    void streamsSettleTheCostOfTheUsageTheirFinalEventReported() {
        HttpResponse<String> openAi = chat("plain", true, true);
        HttpResponse<String> anthropic = messages("plain", true);

        assertThat(openAi.statusCode()).as(openAi.body()).isEqualTo(200);
        assertThat(openAi.body()).contains("\"prompt_tokens\":4321").contains("[DONE]");
        assertThat(anthropic.statusCode()).as(anthropic.body()).isEqualTo(200);
        assertThat(anthropic.body()).contains("message_stop");
        long expected = 2 * micros(4321, 0, 0, 1234, 0);
        JsonNode row = awaitSpend(2);
        assertThat(row.get("micro_usd").asLong()).isEqualTo(expected).isEqualTo(2 * 23_266L);
        assertThat(row.get("unpriced_requests").asLong()).isZero();
        assertThat(row.get("output_tokens").asLong()).isEqualTo(2 * 1234L);
        assertThat(teamBudgetCounter()).isEqualTo(expected);
    }

    // ---- 3. cached, cache-write and reasoning tokens at their own prices -----------------------

    @Test
    void cachedCacheWriteAndReasoningTokensArePricedAtTheirOwnPricesBufferedAndStreamed() {
        // 100 plain input at 2.5 = 250; 600 cached at 0.2505 = 150.3; 300 written at 3.1245 = 937.35;
        // 300 plain output at 10.1 = 3030; 200 reasoning at 12.7 = 2540: 6907.65, rounded once -> 6908
        // (rounding each part would give 6907; pricing every token as plain input or output 7550); the streams
        // report the input part at their start and the whole usage at their end, which is what counts
        long one = micros(1000, 600, 300, 500, 200);
        assertThat(one).isEqualTo(6908L);

        HttpResponse<String> buffered = chat("cached", false, false);
        HttpResponse<String> translated = messages("cached", false);
        HttpResponse<String> streamed = chat("cached", true, true);
        HttpResponse<String> streamedTranslated = messages("cached", true);

        assertThat(List.of(buffered, translated, streamed, streamedTranslated)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        assertThat(headerMicros(buffered)).isEqualTo(one);
        assertThat(headerMicros(translated)).isEqualTo(one);
        JsonNode row = awaitSpend(4);
        assertThat(row.get("micro_usd").asLong()).isEqualTo(4 * one);
        assertThat(teamBudgetCounter()).isEqualTo(4 * one);
    }

    // ---- 4. a client that hangs up mid-stream ---------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/messages", "/v1/chat/completions"})
    void aClientThatHangsUpMidStreamSettlesOnceWithThePartialUsageTheProviderReported(String path) throws Exception {
        hangUpMidStream(path, "hang-partial");

        // the stream's start reported the input (as a message start, or observed by a pass-through adapter): 677 plain at 2.5 and 100 cached at 0.2505 = 1717.55 -> 1718
        long partial = micros(777, 100, 0, 0, 0);
        assertThat(partial).isEqualTo(1718L);
        JsonNode row = awaitSpend(1);
        assertThat(row.get("micro_usd").asLong()).isEqualTo(partial);
        assertThat(row.get("unpriced_requests").asLong()).isZero();
        assertThat(row.get("input_tokens").asLong()).isEqualTo(777);
        assertThat(row.get("output_tokens").asLong()).isZero();
        assertSettledOnce(partial);
        assertThat(teamBudgetCounter()).isEqualTo(partial);
        assertTheReservationWasNotLeaked(partial,
                () -> path.equals("/v1/messages") ? messages("plain", false) : chat("plain", false, false));
    }

    @Test
    void aClientThatHangsUpMidStreamBeforeAnyUsageKeepsTheWorstCaseAndIsRecordedAsUnknown() throws Exception {
        hangUpMidStream("/v1/chat/completions", "hang-silent");

        // the answer had started, so the provider did work whose cost nobody reported: unknown, never $0,
        // and the budget keeps the worst case, as for every unknown cost (a hang-up is no way to spend for free)
        JsonNode row = awaitSpend(1);
        assertThat(row.get("micro_usd").asLong()).isZero();
        assertThat(row.get("unpriced_requests").asLong()).isEqualTo(1);
        long worstCase = teamBudgetHold(plugin.reservations.getFirst());
        assertSettledOnce(worstCase);
        assertThat(teamBudgetCounter()).isEqualTo(worstCase);
        assertTheReservationWasNotLeaked(worstCase, () -> chat("plain", false, false));
    }

    @Test
    void aClientThatHangsUpBeforeTheFirstEventCommitsNoCost() throws Exception {
        String body = "{\"model\":\"hang-mute\",\"max_tokens\":100,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (Socket s = new Socket("127.0.0.1", gw.gateway().port())) {
            s.getOutputStream().write(request("/v1/chat/completions", body));
            s.getOutputStream().flush();
            Eventually.await(Duration.ofSeconds(5), () -> gw.gateway().inFlight() == 1);
        }
        Eventually.await(Duration.ofSeconds(5), () -> gw.gateway().inFlight() == 0);

        // governance.md: failed without usage before any provider sent a first event: no tokens, no cost
        JsonNode row = awaitSpend(1);
        assertThat(row.get("unpriced_requests").asLong()).isEqualTo(1);
        assertSettledOnce(0);
        assertThat(teamBudgetCounter()).isZero();
        assertTheReservationWasNotLeaked(0, () -> chat("plain", false, false));
    }

    // ---- 5. unknown costs are unknown, never $0 -------------------------------------------------

    @Test
    void anUnpricedModelIsRecordedAsUnknownNotAsZero() {
        HttpResponse<String> r = chat("unpriced", false, false);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-cost")).hasValue("unknown");
        JsonNode row = awaitSpend(1);
        assertThat(row.get("unpriced_requests").asLong()).isEqualTo(1);
        assertThat(row.get("micro_usd").asLong()).isZero();
        assertThat(row.get("input_tokens").asLong()).isEqualTo(10);
    }

    @Test
    void aStreamWithoutUsageIsRecordedAsUnknownAndKeepsItsWorstCaseOnTheBudget() {
        HttpResponse<String> r = chat("no-usage", true, false);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode row = awaitSpend(1);
        assertThat(row.get("unpriced_requests").asLong()).isEqualTo(1);
        assertThat(row.get("micro_usd").asLong()).isZero();
        long worstCase = teamBudgetHold(plugin.reservations.getFirst());
        assertThat(worstCase).isPositive();
        assertThat(teamBudgetCounter()).isEqualTo(worstCase);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The cost in micro-dollars at up-priced's prices: the exact sum, rounded half up once. */
    private static long micros(long input, long cached, long cacheWrite, long output, long reasoning) {
        return INPUT.multiply(BigDecimal.valueOf(input - cached - cacheWrite))
                .add(CACHED_INPUT.multiply(BigDecimal.valueOf(cached)))
                .add(CACHE_WRITE.multiply(BigDecimal.valueOf(cacheWrite)))
                .add(OUTPUT.multiply(BigDecimal.valueOf(output - reasoning)))
                .add(REASONING.multiply(BigDecimal.valueOf(reasoning)))
                .setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private HttpResponse<String> chat(String model, boolean stream, boolean includeUsage) {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":" + stream
                + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return gw.send("POST", "/v1/chat/completions", body, "Authorization", "Bearer " + key);
    }

    private HttpResponse<String> messages(String model, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return gw.send("POST", "/v1/messages", body, "x-api-key", key, "anthropic-version", "2023-06-01");
    }

    private static long headerMicros(HttpResponse<String> r) {
        String usd = r.headers().firstValue("x-tollgate-cost").orElseThrow(() -> new AssertionError("no x-tollgate-cost header"));
        return new BigDecimal(usd).movePointRight(6).longValueExact();
    }

    /** The key's ledger row, once it holds {@code requests} requests. */
    private JsonNode awaitSpend(int requests) {
        JsonNode[] row = new JsonNode[1];
        Eventually.await(Duration.ofSeconds(5), () -> {
            row[0] = null;
            for (JsonNode r : GovernedGateway.json(gw.admin("GET", "/admin/spend?group_by=key", null).body()).get("data")) {
                if (r.get("group").asText().equals(keyId)) {
                    row[0] = r;
                }
            }
            return row[0] != null && row[0].get("requests").asLong() >= requests;
        });
        assertThat(row[0].get("requests").asLong()).isEqualTo(requests);
        return row[0];
    }

    private String teamBudgetKey() {
        return plugin.reservations.stream().flatMap(r -> r.holds().stream()).map(Hold::key)
                .filter(k -> k.startsWith("budget:team:" + teamId + ":" + BUDGET_PERIOD + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no request held the team's budget: " + plugin.reservations));
    }

    /** What the team's budget counter holds as settled (holds in flight are not in it). */
    private long teamBudgetCounter() {
        return plugin.state().get(teamBudgetKey()).toCompletableFuture().join();
    }

    private long teamBudgetHold(Reservation r) {
        return r.holds().stream().filter(h -> h.key().equals(teamBudgetKey())).mapToLong(Hold::amount).sum();
    }

    /** Sends a streamed request on a raw connection, reads until its first piece of text, and hangs up. */
    private void hangUpMidStream(String path, String model) throws IOException {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (Socket s = new Socket("127.0.0.1", gw.gateway().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request(path, body));
            s.getOutputStream().flush();
            String seen = readUntil(s.getInputStream(), "c0");
            assertThat(seen).startsWith("HTTP/1.1 200");
            assertThat(gw.gateway().inFlight()).isEqualTo(1);
        }
        Eventually.await(Duration.ofSeconds(5), () -> gw.gateway().inFlight() == 0);
    }

    private byte[] request(String path, String body) {
        return ("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-api-key: " + key
                + "\r\nanthropic-version: 2023-06-01\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!seen.toString().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                throw new AssertionError("the stream ended before '" + marker + "': " + seen);
            }
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return seen.toString();
    }

    /** One settlement of the one reservation, committing {@code cost} to the team's budget. */
    private void assertSettledOnce(long cost) {
        assertThat(plugin.reservations).hasSize(1);
        String id = plugin.reservations.getFirst().id();
        assertThat(plugin.settlements).filteredOn(s -> s.reservationId().equals(id)).singleElement()
                .satisfies(s -> assertThat(s.actualByKey()).containsEntry(teamBudgetKey(), cost));
    }

    /**
     * With the team's budget lowered to what was spent plus one request's worst case, the next
     * request fits exactly: one micro-dollar less refuses it. A hold the hung-up request kept would
     * refuse both.
     */
    private void assertTheReservationWasNotLeaked(long spent, Supplier<HttpResponse<String>> next) {
        long worstCase = teamBudgetHold(plugin.reservations.getFirst());
        assertThat(worstCase).isPositive();

        setTeamBudget(spent + worstCase - 1);
        HttpResponse<String> refused = next.get();
        setTeamBudget(spent + worstCase);
        HttpResponse<String> admitted = next.get();

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(refused.body()).contains("team 'billed'");
        assertThat(admitted.statusCode()).as(admitted.body()).isEqualTo(200);
        assertThat(teamBudgetHold(plugin.reservations.getLast())).isEqualTo(worstCase);
    }

    private void setTeamBudget(long micros) {
        HttpResponse<String> r = gw.admin("PATCH", "/admin/teams/" + teamId, "{\"limits\":{\"budget\":{\"usd\":\""
                + BigDecimal.valueOf(micros, 6).toPlainString() + "\",\"period\":\"" + BUDGET_PERIOD + "\"}}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
