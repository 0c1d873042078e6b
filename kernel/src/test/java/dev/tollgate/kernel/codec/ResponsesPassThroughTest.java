package dev.tollgate.kernel.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.FakeProviderPlugin;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/responses} to deployments that speak Responses themselves, to ones that translate, and
 * to models that mix both: what is parsed, when, how often, and what reaches the provider.
 */
class ResponsesPassThroughTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DROPPED_REASONING = "dropped input item: reasoning";

    /** A follow-up turn the translation cannot carry whole: a reasoning item (dropped with a warning) and stored state. */
    private static final String STATEFUL = "{\"model\":\"m\",\"previous_response_id\":\"resp_up_0\",\"store\":true,"
            + "\"include\":[\"reasoning.encrypted_content\"],\"input\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],"
            + "\"encrypted_content\":\"gAAAAB+x/9==\"},{\"role\":\"user\",\"content\":\"and then?\"}]}";
    /** A stateless one the translation can carry, with a reasoning item it drops (one warning per parse). */
    private static final String STATELESS = "{\"model\":\"m\",\"input\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
            + "{\"role\":\"user\",\"content\":\"hi\"}]}";

    @BeforeEach
    void reset() {
        NativeResponsesPlugin.reset();
    }

    private static KernelHarness gateway(String models) {
        return KernelHarness.start("""
                plugins: [native, fake]
                policies:
                  - name: outcomes
                models:
                %s""".formatted(models.indent(2)), Map.<String, TollgatePlugin>of("native", new NativeResponsesPlugin(),
                "fake", new FakeProviderPlugin()));
    }

    private static final String NATIVE_ONLY = """
            m:
              deployments:
                - {provider: native-responses, model: up-native}
            """;

    private static final String TRANSLATING_ONLY = """
            m:
              deployments:
                - {provider: native-responses, model: up-chat, config: {native: false}}
            """;

    /** A pass-through deployment that fails, falling back to a model that translates. */
    private static final String FAILING_NATIVE_THEN_CHAT = """
            m:
              fallbacks: [{model: chat, on: [server_error]}]
              deployments:
                - {provider: native-responses, model: up-native, config: {fail: true}}
            chat:
              deployments:
                - {provider: native-responses, model: up-chat, config: {native: false}}
            """;

    private static long warnings(KernelHarness g) {
        return g.translationWarnings().getOrDefault(DROPPED_REASONING, 0L);
    }

    /** The text of a Responses answer's first output item. */
    private static String outputText(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).get("output").get(0).get("content").get(0).get("text").asText();
    }

    private static Outcome outcome() {
        Eventually.await(Duration.ofSeconds(5), () -> !NativeResponsesPlugin.outcomes.isEmpty());
        return NativeResponsesPlugin.outcomes.getLast();
    }

    @Test
    void aPassedThroughRequestReachesTheProviderUnparsedAndItsAnswerIdIsKept() throws Exception {
        try (KernelHarness g = gateway(NATIVE_ONLY)) {
            HttpResponse<String> r = g.post("/v1/responses", STATEFUL);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(NativeResponsesPlugin.ANSWER);
            assertThat(NativeResponsesPlugin.passedThrough).containsExactly(STATEFUL);
            assertThat(warnings(g)).as("never parsed into the canonical model").isZero();
            Outcome o = outcome();
            assertThat(o.upstreamResponseId()).contains("resp_up_1");
            assertThat(o.deploymentId()).contains("m#0");
            assertThat(o.usage()).contains(Usage.of(10, 5));
        }
    }

    @Test
    void aPassedThroughStreamIsRelayedEventByEventAndItsAnswerIdIsKept() throws Exception {
        try (KernelHarness g = gateway(NATIVE_ONLY)) {
            HttpResponse<String> r = g.post("/v1/responses", STATEFUL.replace("{\"model\":\"m\",", "{\"model\":\"m\",\"stream\":true,"));

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("event: response.created\ndata: " + NativeResponsesPlugin.CREATED + "\n\n"
                    + "event: response.completed\ndata: " + NativeResponsesPlugin.COMPLETED + "\n\n");
            Outcome o = outcome();
            assertThat(o.upstreamResponseId()).contains("resp_up_1");
            assertThat(o.usage()).contains(Usage.of(10, 5));
        }
    }

    @Test
    void badInputIsStillA400NamingTheFieldWhenEveryDeploymentPassesThrough() throws Exception {
        try (KernelHarness g = gateway(NATIVE_ONLY)) {
            HttpResponse<String> r = g.post("/v1/responses", "{\"model\":\"m\",\"input\":42}");

            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").get("param").asText()).isEqualTo("input");
            assertThat(NativeResponsesPlugin.passedThrough).isEmpty();
        }
    }

    @Test
    void aTranslatedRequestIsParsedOnceAtAdmissionAndTheAttemptUsesThatParse() throws Exception {
        try (KernelHarness g = gateway(TRANSLATING_ONLY)) {
            HttpResponse<String> r = g.post("/v1/responses", STATELESS);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(outputText(r)).isEqualTo("translated:up-chat");
            assertThat(NativeResponsesPlugin.translated).containsExactly("up-chat");
            // the parse drops the reasoning item with one warning: a second parse would count a second
            assertThat(warnings(g)).isEqualTo(1);
            assertThat(outcome().upstreamResponseId()).isEmpty();
        }
    }

    @Test
    void previousResponseIdIsRefusedAtAdmissionWhenOnlyTranslatingDeploymentsServe() throws Exception {
        try (KernelHarness g = gateway(TRANSLATING_ONLY)) {
            HttpResponse<String> r = g.post("/v1/responses", STATEFUL);

            assertThat(r.statusCode()).isEqualTo(400);
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo("previous_response_id");
            assertThat(NativeResponsesPlugin.translated).isEmpty();
        }
    }

    @Test
    void aFallbackFromAPassThroughDeploymentToAChatOneTranslatesTheSameRequest() throws Exception {
        try (KernelHarness g = gateway(FAILING_NATIVE_THEN_CHAT)) {
            HttpResponse<String> r = g.post("/v1/responses", STATELESS);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(NativeResponsesPlugin.passedThrough).containsExactly(STATELESS);
            assertThat(NativeResponsesPlugin.translated).containsExactly("up-chat");
            assertThat(outputText(r)).isEqualTo("translated:up-chat");
            assertThat(warnings(g)).as("parsed once, at admission, because an attempt may translate").isEqualTo(1);
            Outcome o = outcome();
            assertThat(o.deploymentId()).contains("chat#0");
            assertThat(o.upstreamResponseId()).isEmpty();
        }
    }

    @Test
    void aRequestOnlyPassThroughCanCarryGoesOnlyToThoseDeploymentsOfAMixedModel() throws Exception {
        try (KernelHarness g = gateway("""
                m:
                  deployments:
                    - {provider: native-responses, model: up-chat, config: {native: false}}
                    - {provider: native-responses, model: up-native}
                """)) {
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = g.post("/v1/responses", STATEFUL);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(NativeResponsesPlugin.ANSWER);
            }
            // the weighted choice would send about half to the chat deployment: none goes there
            assertThat(NativeResponsesPlugin.translated).as("previous_response_id cannot be translated").isEmpty();
            assertThat(NativeResponsesPlugin.passedThrough).hasSize(6).containsOnly(STATEFUL);
        }
    }

    @Test
    void whenThePassThroughDeploymentsOfAMixedModelFailTheClientGetsTheirErrorNotATranslationRefusal() throws Exception {
        try (KernelHarness g = gateway(FAILING_NATIVE_THEN_CHAT)) {
            HttpResponse<String> r = g.post("/v1/responses", STATEFUL);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("upstream_error");
            assertThat(NativeResponsesPlugin.translated).isEmpty();
        }
    }

    @Test
    void aPassedThroughAnswerIsNeitherCachedNorCountedAsUnreadable() throws Exception {
        try (KernelHarness g = KernelHarness.start("""
                plugins: [native, cache]
                cache:
                  tiers: [map]
                models:
                  m:
                    deployments:
                      - {provider: native-responses, model: up-native}
                """, Map.<String, TollgatePlugin>of("native", new NativeResponsesPlugin(),
                "cache", new dev.tollgate.kernel.cache.CacheTestPlugin()))) {
            String stateless = "{\"model\":\"m\",\"input\":\"hi\",\"store\":false}";
            for (String body : List.of(stateless, stateless, stateless.replace("\"store\":false", "\"stream\":true"),
                    stateless.replace("\"store\":false", "\"stream\":true"))) {
                assertThat(g.post("/v1/responses", body).statusCode()).isEqualTo(200);
            }

            assertThat(NativeResponsesPlugin.passedThrough).as("every request reached the provider: none was answered from the cache")
                    .hasSize(4);
            String metrics = g.get("/metrics").body();
            assertThat(metrics).doesNotContain("tollgate_cache_not_stored_total{reason=\"unreadable\"}")
                    .doesNotContain("tollgate_cache_requests_total{model=\"m\",result=\"hit\"}");
        }
    }
}
