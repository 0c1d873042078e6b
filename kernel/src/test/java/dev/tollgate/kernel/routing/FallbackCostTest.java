package dev.tollgate.kernel.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.governance.GovernedGateway;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Governance stays exact across a fallback to another model: the fallback attempt passes every
 * policy's {@code beforeAttempt} with the fallback model, and the request settles at the price
 * of the model that answered, in the header, the key's ledger and the record.
 */
class FallbackCostTest {

    @TempDir
    Path dir;

    /** A policy that records each beforeAttempt's model and deployment. */
    static final List<String> attempts = new CopyOnWriteArrayList<>();

    public static final class AttemptSpy implements dev.tollgate.spi.TollgatePlugin {
        @Override
        public List<dev.tollgate.spi.policy.RequestPolicyFactory> requestPolicies() {
            return List.of(new dev.tollgate.spi.policy.RequestPolicyFactory() {
                @Override
                public String name() {
                    return "attempt-spy";
                }

                @Override
                public dev.tollgate.spi.policy.RequestPolicy create(dev.tollgate.spi.config.PluginConfig config,
                        dev.tollgate.spi.PluginContext context) {
                    return new dev.tollgate.spi.policy.RequestPolicy() {
                        @Override
                        public java.util.concurrent.CompletionStage<dev.tollgate.spi.policy.Admission> admit(
                                dev.tollgate.spi.policy.PolicyRequest request) {
                            return CompletableFuture.completedFuture(dev.tollgate.spi.policy.Admission.proceed());
                        }

                        @Override
                        public java.util.concurrent.CompletionStage<dev.tollgate.spi.policy.Admission> beforeAttempt(
                                dev.tollgate.spi.policy.PolicyRequest request, dev.tollgate.spi.policy.Admission admission,
                                dev.tollgate.spi.policy.AttemptInfo attempt) {
                            attempts.add(attempt.index() + ":" + attempt.model() + ":" + attempt.deploymentId());
                            return CompletableFuture.completedFuture(admission);
                        }
                    };
                }
            });
        }
    }

    @Test
    void aFallbackIsSettledAtTheFallbackModelsPrice() throws IOException {
        ScriptedProviderPlugin.reset();
        attempts.clear();
        // per million tokens, so a token costs its price in micro-dollars
        Path models = Files.writeString(dir.resolve("models.yaml"), """
                models:
                  up-cheap: {input: 1, output: 1}
                  up-dear: {input: 10, output: 20}
                """);
        try (GovernedGateway gw = GovernedGateway.startWith("""
                plugins: [fake, scripted, spy]
                admin: {master_key: '${env:TG_TEST_MASTER}'}
                models_file: %s
                policies: [{name: attempt-spy}]
                models:
                  cheap:
                    retry: {max_attempts: 1}
                    fallbacks: [{model: dear, on: [server_error]}]
                    deployments: [{provider: scripted, model: up-cheap, config: {script: ["500"]}}]
                  dear:
                    deployments: [{provider: scripted, model: up-dear, config: {script: [ok]}}]
                """.formatted(models), Map.of("scripted", new ScriptedProviderPlugin(), "spy", new AttemptSpy()))) {
            JsonNode key = gw.createKey("{\"name\":\"fallback-key\"}");
            HttpResponse<String> r = gw.send("POST", "/v1/chat/completions", GovernedGateway.chat("cheap"),
                    "Authorization", "Bearer " + key.get("key").asText());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("from:up-dear");
            // 1000 input at 10 and 100 output at 20 per million: 12,000 micro-dollars (the cheap model would be 1,100)
            assertThat(r.headers().firstValue("x-tollgate-cost")).hasValue("0.012000");
            assertThat(attempts).containsExactly("0:cheap:cheap#0", "1:dear:dear#0");
            String keyId = key.get("id").asText();
            JsonNode[] row = new JsonNode[1];
            Eventually.await(Duration.ofSeconds(5), () -> {
                for (JsonNode s : GovernedGateway.json(gw.admin("GET", "/admin/spend?group_by=key", null).body()).get("data")) {
                    if (s.get("group").asText().equals(keyId)) {
                        row[0] = s;
                    }
                }
                return row[0] != null;
            });
            assertThat(row[0].get("micro_usd").asLong()).isEqualTo(12_000L);
            assertThat(row[0].get("requests").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aBudgetThatCoversThePrimaryButNotADearerFallbackIsNeverOverspent() throws IOException {
        ScriptedProviderPlugin.reset();
        Path models = Files.writeString(dir.resolve("models.yaml"), """
                models:
                  up-cheap: {input: 1, output: 1}
                  up-dear: {input: 10, output: 20}
                """);
        try (GovernedGateway gw = GovernedGateway.startWith("""
                plugins: [fake, scripted]
                admin: {master_key: '${env:TG_TEST_MASTER}'}
                models_file: %s
                models:
                  cheap:
                    retry: {max_attempts: 1}
                    fallbacks: [{model: dear, on: [server_error]}]
                    deployments: [{provider: scripted, model: up-cheap, config: {script: ["500"]}}]
                  dear:
                    deployments: [{provider: scripted, model: up-dear, config: {script: [ok]}}]
                """.formatted(models), Map.of("scripted", new ScriptedProviderPlugin()))) {
            // $0.01 covers the cheap model's worst case (about 4,100 micro-dollars at 4,096 output tokens) but the answer
            // the dear fallback gives costs 12,000: admission must price the request at the dearest model it may reach
            JsonNode key = gw.createKey("{\"name\":\"tight\",\"limits\":{\"budget\":{\"usd\":\"0.01\",\"period\":\"monthly\"}}}");
            HttpResponse<String> r = gw.send("POST", "/v1/chat/completions", GovernedGateway.chat("cheap"),
                    "Authorization", "Bearer " + key.get("key").asText());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
            assertThat(r.body()).contains("insufficient_quota").contains("worst-case");
            for (JsonNode s : GovernedGateway.json(gw.admin("GET", "/admin/spend?group_by=key", null).body()).get("data")) {
                assertThat(s.get("micro_usd").asLong()).as("nothing spent").isZero();
            }
        }
    }
}
