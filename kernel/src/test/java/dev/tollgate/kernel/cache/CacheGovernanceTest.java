package dev.tollgate.kernel.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.governance.GovernedGateway;
import dev.tollgate.spi.TollgatePlugin;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache with keys and teams: answers are shared within their scope only (the team by
 * default), and a hit costs nothing against budgets and rate-limit tokens while the miss that made
 * it is charged in full.
 */
class CacheGovernanceTest {

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        CacheTestPlugin.reset();
    }

    private GovernedGateway start() throws IOException {
        Path models = Files.writeString(dir.resolve("models.yaml"), "models:\n  up-m: {input: 1, output: 1}\n");
        return GovernedGateway.startWith("""
                plugins: [cache]
                admin: {master_key: '${env:TG_TEST_MASTER}'}
                models_file: %s
                cache: {tiers: [map]}
                models:
                  m:
                    deployments: [{provider: answers, model: up-m}]
                  per-key:
                    cache: {scope: key}
                    deployments: [{provider: answers, model: up-m}]
                  shared:
                    cache: {scope: global}
                    deployments: [{provider: answers, model: up-m}]
                """.formatted(models), Map.<String, TollgatePlugin>of("cache", new CacheTestPlugin()));
    }

    private static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static HttpResponse<String> ask(GovernedGateway gw, String secret, String model, String text) {
        HttpResponse<String> r = gw.send("POST", "/v1/chat/completions", chat(model, text), "Authorization", "Bearer " + secret);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static String answer(HttpResponse<String> r) {
        return GovernedGateway.json(r.body()).at("/choices/0/message/content").asText();
    }

    private static String teamId(GovernedGateway gw, String name) {
        HttpResponse<String> r = gw.admin("POST", "/admin/teams", "{\"name\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return GovernedGateway.json(r.body()).get("id").asText();
    }

    private static String key(GovernedGateway gw, String name, String teamId, String limits) {
        return gw.createKey("{\"name\":\"" + name + "\"" + (teamId == null ? "" : ",\"team_id\":\"" + teamId + "\"")
                + (limits == null ? "" : ",\"limits\":" + limits) + "}").get("key").asText();
    }

    @Test
    void oneTeamsCachedAnswerNeverReachesAnother() throws IOException {
        try (GovernedGateway gw = start()) {
            String a = teamId(gw, "team-a");
            String b = teamId(gw, "team-b");
            String a1 = key(gw, "a1", a, null);
            String a2 = key(gw, "a2", a, null);
            String b1 = key(gw, "b1", b, null);
            String loner = key(gw, "loner", null, null);

            assertThat(answer(ask(gw, a1, "m", "secret plan"))).isEqualTo("answer-1: secret plan");
            HttpResponse<String> sameTeam = ask(gw, a2, "m", "secret plan");
            assertThat(sameTeam.headers().firstValue("x-tollgate-cache")).hasValue("HIT");
            assertThat(answer(sameTeam)).isEqualTo("answer-1: secret plan");
            HttpResponse<String> otherTeam = ask(gw, b1, "m", "secret plan");
            assertThat(otherTeam.headers().firstValue("x-tollgate-cache")).hasValue("MISS");
            assertThat(answer(otherTeam)).isEqualTo("answer-2: secret plan");
            assertThat(answer(ask(gw, loner, "m", "secret plan"))).as("a key without a team is its own scope")
                    .isEqualTo("answer-3: secret plan");

            // scope key: not even the same team shares
            assertThat(answer(ask(gw, a1, "per-key", "q"))).isEqualTo("answer-4: q");
            assertThat(answer(ask(gw, a2, "per-key", "q"))).isEqualTo("answer-5: q");
            assertThat(answer(ask(gw, a1, "per-key", "q"))).isEqualTo("answer-4: q");
            // scope global: everyone shares
            assertThat(answer(ask(gw, a1, "shared", "q"))).isEqualTo("answer-6: q");
            assertThat(answer(ask(gw, b1, "shared", "q"))).isEqualTo("answer-6: q");
        }
    }

    @Test
    void hitsCostNothingAgainstBudgetsAndRateLimitTokens() throws IOException {
        try (GovernedGateway gw = start()) {
            JsonNode created = gw.createKey("{\"name\":\"metered\",\"limits\":{\"tpm\":1000000,"
                    + "\"budget\":{\"usd\":\"1\",\"period\":\"monthly\"}}}");
            String secret = created.get("key").asText();
            String keyId = created.get("id").asText();

            HttpResponse<String> miss = ask(gw, secret, "m", "metered");
            assertThat(miss.headers().firstValue("x-tollgate-cost")).hasValue("0.001100");
            long[] remaining = new long[3];
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> hit = ask(gw, secret, "m", "metered");
                assertThat(hit.headers().firstValue("x-tollgate-cache")).hasValue("HIT");
                assertThat(hit.headers().firstValue("x-tollgate-cost")).hasValue("0.000000");
                remaining[i] = Long.parseLong(hit.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
            }
            // each request's header counts its own estimate held; between them only the miss's 1,100 tokens were settled:
            // each hit's estimate was released again, never charged
            long beforeMiss = Long.parseLong(miss.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
            assertThat(remaining[0]).isEqualTo(beforeMiss - 1_100);
            assertThat(remaining[1]).isEqualTo(remaining[0]);
            assertThat(remaining[2]).isEqualTo(remaining[0]);

            JsonNode[] row = new JsonNode[1];
            Eventually.await(Duration.ofSeconds(5), () -> {
                for (JsonNode s : GovernedGateway.json(gw.admin("GET", "/admin/spend?group_by=key", null).body()).get("data")) {
                    if (s.get("group").asText().equals(keyId) && s.get("requests").asLong() == 4) {
                        row[0] = s;
                    }
                }
                return row[0] != null;
            });
            assertThat(row[0].get("micro_usd").asLong()).as("only the miss is spent").isEqualTo(1_100L);
            assertThat(CacheTestPlugin.calls.get()).isEqualTo(1);
        }
    }
}
