package dev.tollgate.kernel.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, teams, limits and budgets through the running gateway: admin API, request path, embedded store. */
class GovernanceEndToEndTest {

    @TempDir
    Path dir;

    private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aTeamsRequestsPerMinuteLimitRefusesTheThirdRequestNamingTheTeam() {
        try (GovernedGateway gw = GovernedGateway.withMasterKey()) {
            String team = GovernedGateway.json(gw.admin("POST", "/admin/teams", "{\"name\":\"research\",\"limits\":{\"rpm\":2}}").body())
                    .get("id").asText();
            String key = gw.createKey("{\"name\":\"alice\",\"team_id\":\"" + team + "\"}").get("key").asText();

            HttpResponse<String> first = gw.send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + key);
            HttpResponse<String> second = gw.send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + key);
            HttpResponse<String> third = gw.send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + key);

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
            assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("retry-after")).isPresent();
            assertThat(third.body()).contains("team 'research'").contains("\"type\"");
        }
    }

    @Test
    void keysTeamsAndSpendSurviveARestartAndAnExhaustedBudgetStaysExhausted() throws Exception {
        // every answer of the fake provider is 3 input and 2 output tokens: 5 tokens at $0.01 = 50,000 micro-dollars
        Path models = Files.writeString(dir.resolve("models.yaml"), "models: {up-m: {input: 10000, output: 10000}}\n");
        Path data = dir.resolve("data");
        String yaml = "admin: {master_key: '${env:TG_TEST_MASTER}'}\nmodels_file: " + models + "\n";
        String capped;
        String free;
        int admitted = 0;
        try (GovernedGateway gw = GovernedGateway.startIn(data, yaml)) {
            String team = GovernedGateway.json(gw.admin("POST", "/admin/teams",
                    "{\"name\":\"capped\",\"limits\":{\"budget\":{\"usd\":\"1.00\",\"period\":\"monthly\"}}}").body()).get("id").asText();
            capped = gw.createKey("{\"name\":\"capped-key\",\"team_id\":\"" + team + "\"}").get("key").asText();
            free = gw.createKey("{\"name\":\"free-key\"}").get("key").asText();

            HttpResponse<String> r;
            while ((r = gw.send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + capped)).statusCode() == 200) {
                assertThat(r.headers().firstValue("x-tollgate-cost")).hasValue("0.050000");
                admitted++;
                assertThat(admitted).as("the budget must stop requests").isLessThanOrEqualTo(20);
            }
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.body()).contains("insufficient_quota").contains("team 'capped'");
            assertThat(admitted).isPositive();
            assertThat(50_000L * admitted).isLessThanOrEqualTo(1_000_000L);
        }

        try (GovernedGateway gw = GovernedGateway.startIn(data, yaml)) {
            HttpResponse<String> stillCapped = gw.send("POST", "/v1/chat/completions", CHAT, "Authorization", "Bearer " + capped);
            HttpResponse<String> stillFree = gw.send("POST", "/v1/chat/completions", CHAT, "x-api-key", free);
            JsonNode spend = GovernedGateway.json(gw.admin("GET", "/admin/spend?group_by=key", null).body());

            assertThat(stillCapped.statusCode()).as(stillCapped.body()).isEqualTo(429);
            assertThat(stillCapped.body()).contains("insufficient_quota");
            assertThat(stillFree.statusCode()).isEqualTo(200);
            assertThat(spend.toString()).contains("\"micro_usd\":" + 50_000L * admitted);
        }
    }

    @Test
    void eachEndUserOfAKeyMeetsTheEndUserLimitOnItsOwn() {
        try (GovernedGateway gw = GovernedGateway.start("admin: {master_key: '${env:TG_TEST_MASTER}'}\n"
                + "governance: {end_user_limits: {rpm: 1}}\n", java.util.Map.of())) {
            String key = gw.createKey("{\"name\":\"app\"}").get("key").asText();
            String asU1 = "{\"model\":\"m\",\"user\":\"u1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            String asU2 = asU1.replace("u1", "u2");

            assertThat(gw.send("POST", "/v1/chat/completions", asU1, "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
            HttpResponse<String> again = gw.send("POST", "/v1/chat/completions", asU1, "Authorization", "Bearer " + key);
            HttpResponse<String> other = gw.send("POST", "/v1/chat/completions", asU2, "Authorization", "Bearer " + key);

            assertThat(again.statusCode()).isEqualTo(429);
            assertThat(again.body()).contains("end user 'u1'");
            assertThat(other.statusCode()).isEqualTo(200);
        }
    }
}
