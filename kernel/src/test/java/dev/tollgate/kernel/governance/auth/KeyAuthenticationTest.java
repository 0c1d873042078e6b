package dev.tollgate.kernel.governance.auth;

import static dev.tollgate.kernel.governance.GovernedGateway.chat;
import static dev.tollgate.kernel.governance.GovernedGateway.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.governance.GovernedGateway;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.policy.RequestPolicyFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeyAuthenticationTest {

    /** The principal the policy after the authentication saw. */
    private final AtomicReference<Principal> seen = new AtomicReference<>();
    private GovernedGateway gw;

    @BeforeEach
    void start() {
        TollgatePlugin recorder = new TollgatePlugin() {
            @Override
            public List<RequestPolicyFactory> requestPolicies() {
                return List.of(new RequestPolicyFactory() {
                    @Override
                    public String name() {
                        return "recorder";
                    }

                    @Override
                    public RequestPolicy create(PluginConfig config, PluginContext context) {
                        return new RequestPolicy() {
                            @Override
                            public CompletionStage<Admission> admit(PolicyRequest request) {
                                seen.set(request.principal());
                                return CompletableFuture.completedFuture(Admission.proceed());
                            }
                        };
                    }
                });
            }
        };
        gw = GovernedGateway.start("""
                admin: {master_key: '${env:TG_TEST_MASTER}'}
                policies:
                  - name: recorder
                """, Map.of("recorder", recorder));
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void aNewKeyWorksAsBearerAndAsXApiKeyOnBothApis() {
        String key = gw.createKey("{\"name\":\"app\"}").get("key").asText();
        assertThat(key).matches("tg-[A-Za-z0-9_-]{32}");

        assertThat(gw.send("POST", "/v1/chat/completions", chat("m"), "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(gw.send("POST", "/v1/chat/completions", chat("m"), "x-api-key", key).statusCode()).isEqualTo(200);
        assertThat(gw.send("POST", "/v1/messages", messages("m"), "x-api-key", key).statusCode()).isEqualTo(200);
        assertThat(gw.send("POST", "/v1/messages", messages("m"), "Authorization", "bearer " + key).statusCode()).isEqualTo(200);
        assertThat(gw.send("GET", "/v1/models", null, "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
    }

    @Test
    void thePrincipalNamesTheKeyItsTeamsNearestFirstAndTheirMetadata() {
        String org = GovernedGateway.json(gw.admin("POST", "/admin/teams",
                "{\"name\":\"org\",\"metadata\":{\"region\":\"eu\",\"tier\":\"silver\"}}").body()).get("id").asText();
        String team = GovernedGateway.json(gw.admin("POST", "/admin/teams",
                "{\"name\":\"team\",\"parent_id\":\"" + org + "\"}").body()).get("id").asText();
        JsonNode created = gw.createKey("{\"name\":\"app\",\"team_id\":\"" + team + "\",\"metadata\":{\"tier\":\"gold\"}}");

        gw.send("POST", "/v1/chat/completions", chat("m"), "Authorization", "Bearer " + created.get("key").asText());

        Principal p = seen.get();
        assertThat(p.keyId()).contains(created.get("id").asText());
        assertThat(p.keyName()).contains("app");
        assertThat(p.teamId()).contains(team);
        assertThat(p.teamPath()).containsExactly(org, team);
        assertThat(p.attributes()).containsEntry("tier", "gold").containsEntry("region", "eu");
    }

    @Test
    void unknownRevokedDisabledAndExpiredKeysGetTheSame401() {
        JsonNode revoked = gw.createKey("{\"name\":\"r\"}");
        JsonNode disabled = gw.createKey("{\"name\":\"d\"}");
        JsonNode expiring = gw.createKey("{\"name\":\"e\",\"expires_at\":\"" + gw.time.instant().plus(Duration.ofHours(1)) + "\"}");
        String expiringKey = expiring.get("key").asText();
        assertThat(gw.send("POST", "/v1/chat/completions", chat("m"), "x-api-key", expiringKey).statusCode()).isEqualTo(200);

        assertThat(gw.admin("POST", "/admin/keys/" + revoked.get("id").asText() + "/revoke", null).statusCode()).isEqualTo(200);
        assertThat(gw.admin("PATCH", "/admin/keys/" + disabled.get("id").asText(), "{\"enabled\":false}").statusCode()).isEqualTo(200);
        gw.time.setInstant(gw.time.instant().plus(Duration.ofHours(1)));

        List<String> unusable = List.of(VirtualKeys.generate(), revoked.get("key").asText(), disabled.get("key").asText(), expiringKey);
        for (String api : List.of("/v1/chat/completions", "/v1/messages")) {
            String body = api.endsWith("messages") ? messages("m") : chat("m");
            List<HttpResponse<String>> answers = unusable.stream()
                    .map(k -> gw.send("POST", api, body, "Authorization", "Bearer " + k)).toList();
            for (HttpResponse<String> a : answers) {
                assertThat(a.statusCode()).isEqualTo(401);
                assertThat(a.body()).isEqualTo(answers.get(0).body());
            }
            if (api.endsWith("messages")) {
                assertThat(answers.get(0).body()).contains("\"type\":\"error\"").contains("\"authentication_error\"");
            } else {
                assertThat(answers.get(0).body()).contains("\"code\":\"invalid_api_key\"");
            }
        }
    }

    @Test
    void aMissingKeyOrOneWithoutBearerGets401SayingHowToSendIt() {
        String key = gw.createKey("{\"name\":\"app\"}").get("key").asText();

        HttpResponse<String> none = gw.send("POST", "/v1/chat/completions", chat("m"));
        HttpResponse<String> noBearer = gw.send("POST", "/v1/chat/completions", chat("m"), "Authorization", key);

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("missing_api_key").contains("Authorization: Bearer <key>").contains("x-api-key");
        assertThat(noBearer.statusCode()).isEqualTo(401);
        assertThat(noBearer.body()).contains("missing_api_key").doesNotContain(key);
    }

    @Test
    void endpointsOutsideThePolicyChainNeedAKeyToo() {
        assertThat(gw.send("GET", "/v1/models", null).statusCode()).isEqualTo(401);
        HttpResponse<String> count = gw.send("POST", "/v1/messages/count_tokens", messages("m"), "x-api-key", "tg-nope");
        assertThat(count.statusCode()).isEqualTo(401);
        assertThat(count.body()).contains("authentication_error");
        HttpResponse<String> unknownModel = gw.send("POST", "/v1/chat/completions", chat("secret-model"));
        assertThat(unknownModel.statusCode()).isEqualTo(401);
    }

    @Test
    void aModelTheKeyMayNotUseGets403NamingTheModel() {
        String key = gw.createKey("{\"name\":\"only-m\",\"models\":[\"m\"]}").get("key").asText();

        HttpResponse<String> allowed = gw.send("POST", "/v1/chat/completions", chat("m"), "x-api-key", key);
        HttpResponse<String> refused = gw.send("POST", "/v1/chat/completions", chat("other"), "x-api-key", key);

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("\"code\":\"model_not_allowed\"").contains("'other'").doesNotContain("only-m")
                .doesNotContain(key);
    }

    @Test
    void theMasterKeyIsAnUnrestrictedPrincipalOnV1() {
        HttpResponse<String> r = gw.send("POST", "/v1/chat/completions", chat("other"), "Authorization",
                "Bearer " + GovernedGateway.MASTER);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(seen.get().keyId()).contains(Authenticator.MASTER_KEY_ID);
    }
}
