package dev.tollgate.it.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.it.TestGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An exhausted budget is final until the period resets: the official SDKs, with their default
 * retries, must send such a request once, not three times.
 */
class SdksDoNotRetryAnExhaustedBudgetTest {

    private static final String MASTER = "sdk-budget-master-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theOpenAiAndAnthropicSdksSendARequestOverBudgetOnceAndSeeInsufficientQuota() throws Exception {
        try (TestGateway g = TestGateway.start("""
                plugins: [provider-mock]
                admin: {master_key: '${env:TG_MASTER}'}
                models:
                  priced:
                    deployments:
                      - provider: mock
                        model: mock-priced
                        config: {ttft: 0ms, tokens_per_second: 0, response_tokens: 8}
                        model_info: {input: 1, output: 1}
                """, Map.of("TG_MASTER", MASTER))) {
            String team = new ObjectMapper().readTree(admin(g, "/admin/teams",
                    "{\"name\":\"broke\",\"limits\":{\"budget\":{\"usd\":\"0\",\"period\":\"monthly\"}}}")).get("id").asText();
            String key = new ObjectMapper().readTree(admin(g, "/admin/keys", "{\"name\":\"sdk\",\"team_id\":\"" + team + "\"}"))
                    .get("key").asText();
            long before = clientErrors(g);

            OpenAIClient openai = OpenAIOkHttpClient.builder().baseUrl(g.baseUrl()).apiKey(key).timeout(Duration.ofSeconds(10)).build();
            AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + g.port()).apiKey(key)
                    .timeout(Duration.ofSeconds(10)).build();
            try {
                assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("priced").addUserMessage("hi").build()))
                        .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                            assertThat(e.statusCode()).isEqualTo(429);
                            assertThat(e.code()).hasValue("insufficient_quota");
                            assertThat(e.getMessage()).contains("team 'broke'");
                        });
                assertThat(clientErrorsOnceCounted(g, before + 1) - before).as("requests the OpenAI SDK sent").isEqualTo(1);

                assertThatThrownBy(() -> anthropic.messages().create(MessageCreateParams.builder()
                        .model("priced").maxTokens(16).addUserMessage("hi").build()))
                        .isInstanceOfSatisfying(com.anthropic.errors.AnthropicServiceException.class,
                                e -> assertThat(e.statusCode()).isEqualTo(429));
                assertThat(clientErrorsOnceCounted(g, before + 2) - before).as("requests both SDKs sent").isEqualTo(2);
            } finally {
                openai.close();
                anthropic.close();
            }
        }
    }

    private static String admin(TestGateway g, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(g.uri(path)).header("Authorization", "Bearer " + MASTER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return r.body();
    }

    /**
     * The 4xx count once it reaches {@code expected}: a request is counted when its exchange ends,
     * which may be just after the client has read the answer. An SDK's retries all end before its
     * call returns, so any extra request is counted by then too.
     */
    private static long clientErrorsOnceCounted(TestGateway g, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long count = clientErrors(g);
        while (count < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
            count = clientErrors(g);
        }
        return count;
    }

    private static long clientErrors(TestGateway g) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(g.uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        // every answer with a 4xx status, whatever its endpoint, model and provider
        Matcher m = Pattern.compile("(?m)^tollgate_requests_total\\{[^}]*status=\"4\\d\\d\"[^}]*} (\\d+)").matcher(metrics);
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }
}
