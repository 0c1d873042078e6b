package dev.tollgate.kernel.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.ManualScheduler;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.sink.RequestRecord;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attempt loop through a running gateway, on the manual clock: which failures are retried and
 * when, which fall back to another model, which end the request, and what the response and the
 * request record say about it.
 */
class RetryAndFallbackTest {

    private static final String CAPTURE = """
            logging:
              sinks: [{name: capture, flush_interval: 5ms}]
            """;

    private static String stream(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private final ManualScheduler time = new ManualScheduler();

    @BeforeEach
    void reset() {
        ScriptedProviderPlugin.reset();
    }

    private KernelHarness gateway(String models) {
        return KernelHarness.start("plugins: [scripted]\n" + CAPTURE + "models:\n" + models,
                Map.of("scripted", new ScriptedProviderPlugin()), time);
    }

    private static RequestRecord onlyRecord() {
        Eventually.await(Duration.ofSeconds(5), () -> ScriptedProviderPlugin.records.size() == 1);
        return ScriptedProviderPlugin.records.get(0);
    }

    @Test
    void a429WithRetryAfterIsRetriedExactlyThatLaterAndAnswers200() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    retry: {max_attempts: 2}
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["429@1", ok]}}
                """)) {
            CompletableFuture<HttpResponse<String>> r = g.postAsync("/v1/chat/completions", KernelHarness.chat("m"));
            Eventually.await(Duration.ofSeconds(5), () -> ScriptedProviderPlugin.calls("up-m") == 1 && time.pending() >= 1);
            time.advance(Duration.ofMillis(999));
            assertThat(r).as("the retry waits for Retry-After").isNotDone();
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(1);
            time.advance(Duration.ofMillis(1));
            HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("from:up-m");
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(2);
            assertThat(response.headers().firstValue("x-tollgate-attempts")).hasValue("2");
            assertThat(response.headers().firstValue("x-tollgate-deployment")).hasValue("m#0");
            RequestRecord record = onlyRecord();
            assertThat(record.attempts()).extracting(AttemptRecord::result)
                    .containsExactly(AttemptRecord.Result.FAILED, AttemptRecord.Result.SUCCEEDED);
            assertThat(record.attempts().get(0).errorCode()).isEqualTo("rate_limit_exceeded");
            assertThat(record.status()).isEqualTo(200);
            assertThat(record.errorCode()).isEmpty();
        }
    }

    @Test
    void aRetryAfterBeyondTheCapIsNotWaitedFor() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    retry: {max_retry_after: 5s}
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["429@60", ok]}}
                """)) {
            HttpResponse<String> response = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("60");
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(1);
        }
    }

    @Test
    void twoServerErrorsRetryWithBackoffThenTheFallbackModelServes() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    retry: {max_attempts: 2, backoff: 1s}
                    fallbacks: [{model: f, on: [server_error]}]
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["500"]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, config: {script: [ok]}}
                """)) {
            CompletableFuture<HttpResponse<String>> r = g.postAsync("/v1/chat/completions", KernelHarness.chat("m"));
            Eventually.await(Duration.ofSeconds(5), () -> ScriptedProviderPlugin.calls("up-m") == 1 && time.pending() >= 1);
            time.advance(Duration.ofMillis(499));
            assertThat(ScriptedProviderPlugin.calls("up-m")).as("equal jitter waits at least half the backoff").isEqualTo(1);
            time.advance(Duration.ofMillis(501));
            HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("from:up-f");
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(2);
            assertThat(ScriptedProviderPlugin.calls("up-f")).isEqualTo(1);
            assertThat(response.headers().firstValue("x-tollgate-attempts")).hasValue("3");
            assertThat(response.headers().firstValue("x-tollgate-deployment")).hasValue("f#0");
            RequestRecord record = onlyRecord();
            assertThat(record.attempts()).extracting(AttemptRecord::deploymentId).containsExactly("m#0", "m#0", "f#0");
            assertThat(record.deploymentId()).hasValue("f#0");
        }
    }

    @Test
    void anUntriedSiblingIsTriedAtOnceBeforeAnyRetry() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    routing: weighted
                    deployments:
                      - {provider: scripted, model: up-a, weight: 1000000, config: {script: ["503"]}}
                      - {provider: scripted, model: up-b, weight: 1, config: {script: [ok]}}
                """)) {
            HttpResponse<String> response = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("from:up-b");
            assertThat(ScriptedProviderPlugin.calls("up-a")).isEqualTo(1);
        }
    }

    @Test
    void anUpstream400IsNeitherRetriedNorFallenBackAndKeepsItsMessage() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    fallbacks: [f]
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: ["400", ok]}}
                      - {provider: scripted, model: up-m2, config: {script: [ok]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, config: {script: [ok]}}
                """)) {
            HttpResponse<String> response = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            // the weighted pick may start on either deployment; force the 400 one by asking until it answered once
            for (int i = 0; i < 50 && ScriptedProviderPlugin.calls("up-m") == 0; i++) {
                response = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            }
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("temperature must be at most 2");
            assertThat(ScriptedProviderPlugin.calls("up-f")).isZero();
            assertThat(response.headers().firstValue("x-tollgate-attempts")).hasValue("1");
        }
    }

    @Test
    void aContentPolicyRefusalFallsBackOnlyWhenTheFallbackNamesIt() throws Exception {
        try (KernelHarness g = gateway("""
                  strict:
                    fallbacks: [f]
                    deployments:
                      - {provider: scripted, model: up-strict, config: {script: [content_policy]}}
                  lenient:
                    fallbacks: [{model: f, on: [content_policy]}]
                    deployments:
                      - {provider: scripted, model: up-lenient, config: {script: [content_policy]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, config: {script: [ok]}}
                """)) {
            HttpResponse<String> refused = g.post("/v1/chat/completions", KernelHarness.chat("strict"));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("refused by the content policy");
            assertThat(ScriptedProviderPlugin.calls("up-f")).isZero();

            HttpResponse<String> fellBack = g.post("/v1/chat/completions", KernelHarness.chat("lenient"));
            assertThat(fellBack.statusCode()).isEqualTo(200);
            assertThat(fellBack.body()).contains("from:up-f");
            assertThat(ScriptedProviderPlugin.calls("up-lenient")).as("a refusal is not retried").isEqualTo(1);
        }
    }

    @Test
    void anUpstreamContextWindowErrorFallsBackToTheLargerModel() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    fallbacks: [{model: big, on: [context_window]}]
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: [context_window]}}
                  big:
                    deployments:
                      - {provider: scripted, model: up-big, config: {script: [ok]}}
                """)) {
            HttpResponse<String> response = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("from:up-big");
        }
    }

    private static String longPrompt(String model, int maxTokens) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "lorem ipsum ".repeat(200) + "\"}]}";
    }

    @Test
    void aPromptTooLongForThePrimaryGoesStraightToTheFallbackThatFits() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    fallbacks: [{model: tiny, on: [context_window]}, {model: big, on: [context_window]}]
                    deployments:
                      - {provider: scripted, model: up-m, model_info: {context_window: 300}, config: {script: [ok]}}
                  tiny:
                    deployments:
                      - {provider: scripted, model: up-tiny, model_info: {context_window: 200}, config: {script: [ok]}}
                  big:
                    deployments:
                      - {provider: scripted, model: up-big, model_info: {context_window: 100000}, config: {script: [ok]}}
                """)) {
            HttpResponse<String> response = g.post("/v1/chat/completions", longPrompt("m", 100));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("from:up-big");
            assertThat(ScriptedProviderPlugin.calls("up-m")).isZero();
            assertThat(ScriptedProviderPlugin.calls("up-tiny")).isZero();
            assertThat(response.headers().firstValue("x-tollgate-attempts")).hasValue("1");

            HttpResponse<String> small = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(small.body()).as("a prompt that fits stays on its model").contains("from:up-m");
        }
    }

    @Test
    void aPromptThatFitsNoModelIs400NamingTheLargestWindow() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    fallbacks: [{model: f, on: [context_window]}]
                    deployments:
                      - {provider: scripted, model: up-m, model_info: {context_window: 300}, config: {script: [ok]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, model_info: {context_window: 400}, config: {script: [ok]}}
                """)) {
            HttpResponse<String> response = g.post("/v1/chat/completions", longPrompt("m", 1000));
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("\"code\":\"context_length_exceeded\"")
                    .contains("plus max_tokens 1000")
                    .contains("the largest context window of model 'm' and its fallbacks [f] is 400 tokens");
            assertThat(ScriptedProviderPlugin.calls("up-m") + ScriptedProviderPlugin.calls("up-f")).isZero();
        }
    }

    @Test
    void aRequestUsingToolsSkipsAModelWithoutThem() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    fallbacks: [{model: f, on: [capability]}]
                    deployments:
                      - {provider: scripted, model: up-m, model_info: {capabilities: [vision]}, config: {script: [ok]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, model_info: {capabilities: [tools]}, config: {script: [ok]}}
                  alone:
                    deployments:
                      - {provider: scripted, model: up-alone, model_info: {capabilities: [vision]}, config: {script: [ok]}}
                """)) {
            String tools = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
                    + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]}";
            HttpResponse<String> response = g.post("/v1/chat/completions", tools.formatted("m"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("from:up-f");
            HttpResponse<String> refused = g.post("/v1/chat/completions", tools.formatted("alone"));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("the request uses tools, which no deployment of model 'alone' supports");
        }
    }

    @Test
    void aStreamWithoutAFirstEventFallsBackBeforeAnythingWasCommitted() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    retry: {max_attempts: 1}
                    fallbacks: [{model: f, on: [timeout]}]
                    deployments:
                      - {provider: scripted, model: up-m, ttft_timeout: 5s, config: {script: [hang]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, config: {script: [ok]}}
                """)) {
            CompletableFuture<HttpResponse<String>> r = g.postAsync("/v1/chat/completions", stream("m"));
            Eventually.await(Duration.ofSeconds(5), () -> ScriptedProviderPlugin.calls("up-m") == 1 && time.pending() >= 2);
            time.advance(Duration.ofSeconds(5));
            HttpResponse<String> response = r.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("from:up-f").contains("[DONE]").doesNotContain("error");
            RequestRecord record = onlyRecord();
            assertThat(record.attempts()).extracting(AttemptRecord::errorCode).containsExactly("upstream_timeout", null);
        }
    }

    @Test
    void aStreamThatDiesAfterItsFirstEventEndsWithAnErrorEventAndNoSecondProvider() throws Exception {
        try (KernelHarness g = gateway("""
                  m:
                    fallbacks: [f]
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: [die]}}
                  f:
                    deployments:
                      - {provider: scripted, model: up-f, config: {script: [ok]}}
                """)) {
            HttpResponse<String> response = g.post("/v1/chat/completions", stream("m"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("partial-from:up-m").contains("\"code\":\"upstream_reset\"").doesNotContain("[DONE]");
            assertThat(ScriptedProviderPlugin.calls("up-m")).isEqualTo(1);
            assertThat(ScriptedProviderPlugin.calls("up-f")).isZero();
        }
    }
}
