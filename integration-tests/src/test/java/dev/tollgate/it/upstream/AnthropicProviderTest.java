package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.it.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * provider-anthropic loaded from the distribution, WireMock as api.anthropic.com serving the plugin's
 * Messages API fixtures: the official OpenAI SDK is translated (text, cache usage the kernel prices,
 * tool calls whose arguments Anthropic split across events), and Anthropic clients — raw HTTP and the
 * official Anthropic SDK — pass through byte for byte.
 */
class AnthropicProviderTest {

    private static final String UPSTREAM_MODEL = "claude-sonnet-4-5-20250929";
    private static final PluginFixtures FIXTURES = PluginFixtures.of("provider-anthropic", "anthropic");

    private static WireMockServer wireMock;
    private static TestGateway gateway;
    private static OpenAIClient openAi;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() {
        wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        gateway = TestGateway.start("""
                plugins: [provider-anthropic]
                models_file: conf/models.yaml
                models:
                  claude:
                    deployments:
                      - provider: anthropic
                        model: %s
                        config:
                          api_base: http://127.0.0.1:%d
                          api_key: ${env:UPSTREAM_KEY}
                          anthropic_beta: [context-1m-2025-08-07]
                          read_timeout: 2s
                """.formatted(UPSTREAM_MODEL, wireMock.port()), Map.of("UPSTREAM_KEY", Upstreams.KEY));
        openAi = Upstreams.openAiSdk(gateway);
        anthropic = Upstreams.anthropicSdk(gateway);
    }

    @AfterAll
    static void stop() {
        if (openAi != null) {
            openAi.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (wireMock != null) {
            wireMock.stop();
        }
    }

    @BeforeEach
    void reset() {
        wireMock.resetAll();
    }

    private static String fixture(String name) {
        return FIXTURES.read(name);
    }

    private static void answer(int status, String contentType, String body) {
        wireMock.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", contentType).withBody(body)));
    }

    private static LoggedRequest sent() {
        List<LoggedRequest> all = wireMock.findAll(postRequestedFor(urlEqualTo("/v1/messages")));
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    // ---- OpenAI clients, translated ------------------------------------------------------

    @Test
    void anOpenAiSdkChatIsTranslatedToMessagesAndItsAnswerBack() throws Exception {
        answer(200, "application/json", fixture("text.response.json"));

        ChatCompletion c = openAi.chat().completions().create(ChatCompletionCreateParams.builder().model("claude")
                .addSystemMessage("Answer in French.").addUserMessage("Hello!").temperature(0.4).build());

        assertThat(c.choices().get(0).message().content()).contains("Bonjour ! Comment puis-je vous aider aujourd'hui ?");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(2025);
        assertThat(c.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens()).contains(1800L);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(15);

        LoggedRequest r = sent();
        assertThat(r.getHeader("x-api-key")).isEqualTo(Upstreams.KEY);
        assertThat(r.getHeader("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(r.getHeader("anthropic-beta")).isEqualTo("context-1m-2025-08-07");
        assertThat(r.containsHeader("Authorization")).isFalse();
        JsonNode body = Upstreams.parse(r.getBodyAsString());
        assertThat(body.path("model").asText()).isEqualTo(UPSTREAM_MODEL);
        assertThat(body.path("max_tokens").asInt()).as("the catalog's max output, since the client set none").isEqualTo(64000);
        assertThat(body.path("system").asText()).isEqualTo("Answer in French.");
        assertThat(body.path("messages").path(0).path("content").asText()).isEqualTo("Hello!");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.4);
    }

    @Test
    void theKernelPricesTheCacheReadsAndWritesAnthropicReports() {
        answer(200, "application/json", fixture("text.response.json"));

        HttpResponse<String> r = Upstreams.send(gateway, "/v1/chat/completions",
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        // 25 input at $3, 1800 cache reads at $0.30, 200 cache writes at $3.75, 15 output at $15 per million
        assertThat(r.headers().firstValue("x-tollgate-cost")).contains("0.001590");
    }

    @Test
    void anOpenAiSdkStreamGetsTheToolCallsAnthropicSplitAcrossEvents() {
        answer(200, "text/event-stream", fixture("tool_use.stream.sse"));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude")
                .addUserMessage("Weather in San Francisco and Paris?")
                .addFunctionTool(FunctionDefinition.builder().name("get_weather")
                        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build())
                        .build())
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = openAi.chat().completions().createStreaming(params)) {
            s.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion c = accumulator.chatCompletion();

        List<ChatCompletionMessageToolCall> calls = c.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).function().orElseThrow().id()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
        assertThat(Upstreams.parse(calls.get(0).function().orElseThrow().function().arguments()))
                .isEqualTo(Upstreams.parse("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"));
        assertThat(Upstreams.parse(calls.get(1).function().orElseThrow().function().arguments()))
                .isEqualTo(Upstreams.parse("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"));
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(118);
        assertThat(Upstreams.parse(sent().getBodyAsString()).path("stream").asBoolean()).isTrue();
    }

    @Test
    void aPromptTooLongReachesAnOpenAiClientAsContextLengthExceeded() {
        answer(400, "application/json", fixture("error.prompt_too_long.json"));

        HttpResponse<String> r = Upstreams.send(gateway, "/v1/chat/completions",
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"a long prompt\"}]}");

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = Upstreams.assertOpenAiError(r.body());
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.path("message").asText()).contains("prompt is too long");
    }

    // ---- Anthropic clients, passed through -------------------------------------------------

    @Test
    void anAnthropicRequestAndItsAnswerPassThroughByteForByte() throws Exception {
        String answer = fixture("thinking.response.json");
        answer(200, "application/json", answer);
        String request = fixture("native.request.json").replace("\"model\": \"claude-sonnet\"", "\"model\": \"claude\"");

        HttpResponse<String> r = Upstreams.http().send(HttpRequest.newBuilder(gateway.uri("/v1/messages"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "interleaved-thinking-2025-05-14")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(answer);
        LoggedRequest sent = sent();
        assertThat(sent.getBodyAsString())
                .isEqualTo(request.replace("\"model\": \"claude\"", "\"model\": \"" + UPSTREAM_MODEL + "\""));
        assertThat(sent.getHeader("anthropic-beta")).isEqualTo("context-1m-2025-08-07,interleaved-thinking-2025-05-14");
        assertThat(sent.getHeader("x-api-key")).isEqualTo(Upstreams.KEY);
    }

    @Test
    void theAnthropicSdkStreamsThinkingAndItsSignatureThroughUnchanged() {
        answer(200, "text/event-stream", fixture("thinking.stream.sse"));
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(MessageCreateParams.builder()
                .model("claude").maxTokens(16000).addUserMessage("What is 27 * 453?")
                .enabledThinking(8000).build())) {
            s.stream().forEach(accumulator::accumulate);
        }
        Message m = accumulator.message();

        assertThat(m.content().get(0).thinking().orElseThrow().signature())
                .isEqualTo("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds4D2UWKxY8f8yu0MNEJ9tRD0pM5BfD+yKCaDW8Ag4cBnlfPqzRHqVOo3GHwSIg0ZZrQ5iIZfE/dQxKMI");
        assertThat(m.content().get(1).text().orElseThrow().text()).isEqualTo("27 × 453 = 12,231.");
        assertThat(m.usage().outputTokens()).isEqualTo(212);
        JsonNode body = Upstreams.parse(sent().getBodyAsString());
        assertThat(body.path("model").asText()).isEqualTo(UPSTREAM_MODEL);
        assertThat(body.path("thinking").path("budget_tokens").asInt()).isEqualTo(8000);
    }

    @Test
    void anOverloadedAnthropicIsAnAnthropicOverloadedErrorForAnAnthropicClient() {
        answer(529, "application/json", fixture("error.overloaded_error.json"));

        HttpResponse<String> r = Upstreams.send(gateway, "/v1/messages",
                "{\"model\":\"claude\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        JsonNode body = Upstreams.parse(r.body());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("overloaded_error");
        assertThat(r.body()).doesNotContain(Upstreams.KEY_SUFFIX);
    }
}
