package dev.tollgate.kernel.governance.admin;

import static dev.tollgate.kernel.governance.GovernedGateway.chat;
import static dev.tollgate.kernel.governance.GovernedGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.governance.GovernedGateway;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.kernel.governance.auth.VirtualKeys;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdminApiTest {

    private GovernedGateway gw;

    @BeforeEach
    void start() {
        gw = GovernedGateway.withMasterKey();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private void assertBadField(HttpResponse<String> r, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r.body()).at("/error/param").asText()).isEqualTo(field);
        assertThat(json(r.body()).at("/error/message").asText()).startsWith(field + ": ");
    }

    @Test
    void withoutOrWithAWrongMasterKeyEveryEndpointAnswers401() {
        String virtualKey = gw.createKey("{\"name\":\"app\"}").get("key").asText();
        for (String path : List.of("/admin/keys", "/admin/teams", "/admin/spend", "/admin/usage", "/admin/teams/team_x")) {
            assertThat(gw.send("GET", path, null).statusCode()).isEqualTo(401);
            assertThat(gw.send("GET", path, null, "Authorization", "Bearer " + GovernedGateway.MASTER + "x").statusCode()).isEqualTo(401);
            assertThat(gw.send("GET", path, null, "x-api-key", virtualKey).statusCode()).isEqualTo(401);
            assertThat(gw.send("GET", path, null, "Authorization", GovernedGateway.MASTER).statusCode()).isEqualTo(401);
        }
        assertThat(gw.send("POST", "/admin/keys", "{\"name\":\"x\"}").statusCode()).isEqualTo(401);
        assertThat(gw.send("GET", "/admin/keys", null, "x-api-key", GovernedGateway.MASTER).statusCode()).isEqualTo(200);
    }

    @Test
    void badBodiesGet400NamingTheField() {
        HttpResponse<String> malformed = gw.admin("POST", "/admin/teams", "{\"name\":");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid JSON");
        assertThat(gw.admin("POST", "/admin/teams", "[1]").statusCode()).isEqualTo(400);
        assertThat(gw.admin("POST", "/admin/keys", "").statusCode()).isEqualTo(400);

        assertBadField(gw.admin("POST", "/admin/teams", "{\"name\":\"t\",\"colour\":\"red\"}"), "colour");
        assertBadField(gw.admin("POST", "/admin/teams", "{\"name\":5}"), "name");
        assertBadField(gw.admin("POST", "/admin/teams", "{}"), "name");
        assertBadField(gw.admin("POST", "/admin/teams", "{\"name\":\"t\",\"limits\":{\"rpm\":-1}}"), "limits.rpm");
        assertBadField(gw.admin("POST", "/admin/teams", "{\"name\":\"t\",\"limits\":{\"tpm\":1.5}}"), "limits.tpm");
        assertBadField(gw.admin("POST", "/admin/teams", "{\"name\":\"t\",\"limits\":{\"burst\":1}}"), "limits.burst");
        assertBadField(gw.admin("POST", "/admin/teams", "{\"name\":\"t\",\"parent_id\":\"team_nope\"}"), "parent_id");
        assertBadField(gw.admin("POST", "/admin/keys", "{\"name\":\"k\",\"team_id\":\"team_nope\"}"), "team_id");
        assertBadField(gw.admin("POST", "/admin/keys", "{\"name\":\"k\",\"models\":\"m\"}"), "models");
        assertBadField(gw.admin("POST", "/admin/keys", "{\"name\":\"k\",\"expires_at\":\"tomorrow\"}"), "expires_at");
        assertBadField(gw.admin("POST", "/admin/keys", "{\"name\":\"k\",\"metadata\":{\"a\":1}}"), "metadata.a");
        assertBadField(gw.admin("POST", "/admin/keys", "{\"name\":\"k\",\"enabled\":\"yes\"}"), "enabled");
        assertBadField(gw.admin("POST", "/admin/keys", "{\"name\":\"k\",\"limits\":{\"budget\":{\"usd\":\"5\",\"period\":\"hourly\"}}}"),
                "limits.budget.period");
        assertThat(gw.admin("GET", "/admin/keys", null).body()).isEqualTo("{\"data\":[]}");
    }

    @Test
    void aBodyOverOneMebibyteGets413() {
        String big = "{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}";
        assertThat(gw.admin("POST", "/admin/teams", big).statusCode()).isEqualTo(413);
        assertThat(gw.admin("GET", "/admin/teams", null).body()).isEqualTo("{\"data\":[]}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"\"-1\"", "\"abc\"", "\"1.1234567\"", "1e400", "\"\"", "true", "1.0000001"})
    void aBadBudgetAmountGets400NamingIt(String usd) {
        assertBadField(gw.admin("POST", "/admin/keys",
                "{\"name\":\"k\",\"limits\":{\"budget\":{\"usd\":" + usd + ",\"period\":\"daily\"}}}"), "limits.budget.usd");
    }

    @Test
    void limitsRoundTripWithExactMicroDollars() {
        JsonNode t = json(gw.admin("POST", "/admin/teams", """
                {"name":"org","limits":{"rpm":10,"tpm":20000,"max_parallel":4,"budget":{"usd":"5.123456","period":"monthly"}}}
                """).body());
        assertThat(t.at("/limits/rpm").asLong()).isEqualTo(10);
        assertThat(t.at("/limits/tpm").asLong()).isEqualTo(20000);
        assertThat(t.at("/limits/max_parallel").asInt()).isEqualTo(4);
        assertThat(t.at("/limits/budget/usd").asText()).isEqualTo("5.123456");
        assertThat(t.at("/limits/budget/micro_usd").asLong()).isEqualTo(5_123_456);
        assertThat(t.at("/limits/budget/period").asText()).isEqualTo("monthly");
        assertThat(gw.gateway().governance().directory().team(t.get("id").asText()).orElseThrow().limits().budget().microUsd())
                .isEqualTo(5_123_456);

        JsonNode k = gw.createKey("{\"name\":\"k\",\"limits\":{\"budget\":{\"usd\":\"5\",\"period\":\"none\"}}}");
        assertThat(k.at("/limits/budget/usd").asText()).isEqualTo("5.00");
        assertThat(k.at("/limits/budget/micro_usd").asLong()).isEqualTo(5_000_000);
        JsonNode number = gw.createKey("{\"name\":\"n\",\"limits\":{\"budget\":{\"usd\":0.1,\"period\":\"daily\"}}}");
        assertThat(number.at("/limits/budget/micro_usd").asLong()).as("a JSON number is read as a decimal").isEqualTo(100_000);
    }

    @Test
    void teamsAreCreatedReadChangedAndDeletedOnlyWhenEmpty() {
        JsonNode org = json(gw.admin("POST", "/admin/teams", "{\"name\":\"org\"}").body());
        String orgId = org.get("id").asText();
        assertThat(orgId).startsWith("team_");
        HttpResponse<String> sub = gw.admin("POST", "/admin/teams", "{\"name\":\"sub\",\"parent_id\":\"" + orgId + "\"}");
        assertThat(sub.statusCode()).isEqualTo(201);
        String subId = json(sub.body()).get("id").asText();

        assertThat(json(gw.admin("GET", "/admin/teams", null).body()).get("data")).hasSize(2);
        assertThat(json(gw.admin("GET", "/admin/teams/" + subId, null).body()).get("parent_id").asText()).isEqualTo(orgId);
        assertThat(gw.admin("GET", "/admin/teams/team_nope", null).statusCode()).isEqualTo(404);
        assertThat(gw.admin("PATCH", "/admin/teams/team_nope", "{\"name\":\"x\"}").statusCode()).isEqualTo(404);
        assertBadField(gw.admin("PATCH", "/admin/teams/" + orgId, "{\"parent_id\":\"" + subId + "\"}"), "parent_id");

        HttpResponse<String> renamed = gw.admin("PATCH", "/admin/teams/" + orgId, "{\"name\":\"acme\",\"limits\":{\"rpm\":5}}");
        assertThat(renamed.statusCode()).isEqualTo(200);
        assertThat(json(renamed.body()).get("name").asText()).isEqualTo("acme");
        assertThat(gw.gateway().governance().directory().team(orgId).orElseThrow().limits().rpm()).isEqualTo(5);

        assertThat(gw.admin("DELETE", "/admin/teams/" + orgId, null).statusCode()).as("has a sub-team").isEqualTo(409);
        String keyId = gw.createKey("{\"name\":\"k\",\"team_id\":\"" + subId + "\"}").get("id").asText();
        HttpResponse<String> busy = gw.admin("DELETE", "/admin/teams/" + subId, null);
        assertThat(busy.statusCode()).as("has a key").isEqualTo(409);
        assertThat(busy.body()).contains("team_not_empty");

        assertThat(gw.admin("PATCH", "/admin/keys/" + keyId, "{\"team_id\":null}").statusCode()).isEqualTo(200);
        assertThat(gw.admin("DELETE", "/admin/teams/" + subId, null).statusCode()).isEqualTo(200);
        assertThat(gw.admin("DELETE", "/admin/teams/" + orgId, null).statusCode()).isEqualTo(200);
        assertThat(gw.admin("GET", "/admin/teams/" + orgId, null).statusCode()).isEqualTo(404);
        assertThat(gw.admin("DELETE", "/admin/teams/" + orgId, null).statusCode()).isEqualTo(404);
    }

    @Test
    void keyListingsNeverShowTheKeyNorItsHash() {
        JsonNode created = gw.createKey("{\"name\":\"app\",\"models\":[\"m\"],\"metadata\":{\"owner\":\"ops\"}}");
        String key = created.get("key").asText();
        String id = created.get("id").asText();
        assertThat(id).startsWith("key_");
        assertThat(created.get("prefix").asText()).isEqualTo(key.substring(0, 11) + "\u2026");

        List<String> listings = List.of(gw.admin("GET", "/admin/keys", null).body(), gw.admin("GET", "/admin/keys/" + id, null).body(),
                gw.admin("PATCH", "/admin/keys/" + id, "{\"name\":\"renamed\"}").body(),
                gw.admin("POST", "/admin/keys/" + id + "/revoke", null).body());
        for (String listing : listings) {
            assertThat(listing).contains(id).contains(key.substring(0, 11)).doesNotContain(key).doesNotContain(VirtualKeys.hash(key))
                    .doesNotContain("\"key\"").doesNotContain("hash");
        }
        JsonNode revoked = json(listings.get(3));
        assertThat(revoked.get("revoked_at").asText()).isEqualTo(gw.time.instant().toString());
        assertThat(gw.admin("GET", "/admin/keys/key_nope", null).statusCode()).isEqualTo(404);
        assertThat(gw.admin("POST", "/admin/keys/key_nope/revoke", null).statusCode()).isEqualTo(404);
        assertThat(gw.admin("DELETE", "/admin/keys/" + id, null).statusCode()).isEqualTo(405);
        assertThat(gw.admin("GET", "/admin/nothing", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aChangeToAKeyAppliesToTheNextRequest() {
        JsonNode created = gw.createKey("{\"name\":\"app\"}");
        String key = created.get("key").asText();
        assertThat(gw.send("POST", "/v1/chat/completions", chat("other"), "x-api-key", key).statusCode()).isEqualTo(200);

        gw.admin("PATCH", "/admin/keys/" + created.get("id").asText(), "{\"models\":[\"m\"]}");

        assertThat(gw.send("POST", "/v1/chat/completions", chat("other"), "x-api-key", key).statusCode()).isEqualTo(403);
        assertThat(gw.send("POST", "/v1/chat/completions", chat("m"), "x-api-key", key).statusCode()).isEqualTo(200);
    }

    @Test
    void spendIsGroupedWithDollarsAsDecimalStringsAndMicroDollars() {
        Instant day1 = Instant.parse("2030-01-01T10:00:00Z");
        Instant day2 = Instant.parse("2030-01-02T10:00:00Z");
        gw.gateway().governance().store().recordSpend(List.of(
                SpendEntry.builder().requestId("r1").at(day1).keyId("key_a").teamPath(List.of("team_sub", "team_org")).model("m")
                        .microUsd(1_500_000L).inputTokens(10).outputTokens(20).build(),
                SpendEntry.builder().requestId("r2").at(day2).keyId("key_a").teamPath(List.of("team_sub", "team_org"))
                        .model("other").microUsd(250L).inputTokens(1).outputTokens(2).build(),
                SpendEntry.builder().requestId("r3").at(day2).keyId("key_b").teamPath(List.of("team_org")).model("m")
                        .inputTokens(5).outputTokens(5).build()));

        JsonNode byTeam = json(gw.admin("GET", "/admin/spend?group_by=team", null).body());
        assertThat(byTeam.get("data")).hasSize(2);
        JsonNode org = byTeam.get("data").get(0);
        assertThat(org.get("group").asText()).isEqualTo("team_org");
        assertThat(org.get("usd").asText()).isEqualTo("1.50025");
        assertThat(org.get("micro_usd").asLong()).isEqualTo(1_500_250);
        assertThat(org.get("requests").asLong()).isEqualTo(3);
        assertThat(org.get("unpriced_requests").asLong()).isEqualTo(1);

        JsonNode day = json(gw.admin("GET", "/admin/spend?group_by=key&from=2030-01-02&to=2030-01-03", null).body());
        assertThat(day.get("data")).hasSize(2);
        assertThat(day.get("data").get(0).get("group").asText()).isEqualTo("key_a");
        assertThat(day.get("data").get(0).get("usd").asText()).isEqualTo("0.00025");
        assertThat(json(gw.admin("GET", "/admin/spend?group_by=day", null).body()).get("data").get(0).get("group").asText())
                .isEqualTo("2030-01-01");
        assertThat(json(gw.admin("GET", "/admin/spend?group_by=model", null).body()).get("data")).hasSize(2);

        assertThat(json(gw.admin("GET", "/admin/usage?group_by=team", null).body())).as("usage is the same report").isEqualTo(byTeam);

        assertBadField(gw.admin("GET", "/admin/spend?group_by=week", null), "group_by");
        assertBadField(gw.admin("GET", "/admin/spend?from=yesterday", null), "from");
        assertBadField(gw.admin("GET", "/admin/spend?limit=3", null), "limit");
    }
}
