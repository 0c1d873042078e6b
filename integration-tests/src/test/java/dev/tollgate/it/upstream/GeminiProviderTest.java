package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ThinkingBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.tollgate.it.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * provider-gemini loaded from the distribution, WireMock as generativelanguage.googleapis.com serving
 * {@code generateContent} and {@code streamGenerateContent?alt=sse} fixtures written from Google's API
 * reference: the official OpenAI SDK gets text, usage with cached and thinking tokens, a streamed answer,
 * a function call as its tool call and a quota error as its typed exception; the official Anthropic SDK
 * streams a thought summary with its signature and a function call as thinking and tool_use blocks. Each
 * test also checks the Gemini request WireMock received.
 */
class GeminiProviderTest {

    private static final String UPSTREAM_MODEL = "gemini-2.5-flash";
    private static final String GENERATE = "/v1beta/models/" + UPSTREAM_MODEL + ":generateContent";
    private static final String STREAM = "/v1beta/models/" + UPSTREAM_MODEL + ":streamGenerateContent?alt=sse";
    private static final PluginFixtures FIXTURES = PluginFixtures.of("provider-gemini", "gemini");

    private static WireMockServer wireMock;
    private static TestGateway gateway;
    private static OpenAIClient openAi;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() {
        wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        gateway = TestGateway.start("""
                plugins: [provider-gemini]
                models_file: conf/models.yaml
                models:
                  gemini:
                    deployments:
                      - provider: gemini
                        model: %s
                        config:
                          api_base: http://127.0.0.1:%d
                          api_key: ${env:UPSTREAM_KEY}
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

    private static void answer(String url, int status, String contentType, String body) {
        wireMock.stubFor(post(urlEqualTo(url)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", contentType).withBody(body)));
    }

    private static LoggedRequest sent() {
        List<LoggedRequest> all = wireMock.findAll(postRequestedFor(urlPathMatching("/v1beta/models/.*")));
        assertThat(all).hasSize(1);
        LoggedRequest r = all.get(0);
        assertThat(r.getHeader("x-goog-api-key")).isEqualTo(Upstreams.KEY);
        assertThat(r.containsHeader("Authorization")).isFalse();
        assertThat(r.getUrl()).doesNotContain(Upstreams.KEY_SUFFIX);
        return r;
    }

    private static FunctionDefinition weatherFunction() {
        return FunctionDefinition.builder().name("get_weather").description("Current weather in a city")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();
    }

    // ---- OpenAI SDK --------------------------------------------------------------------------

    @Test
    void anOpenAiSdkChatGetsGeminisAnswerWithCachedAndThinkingTokens() {
        answer(GENERATE, 200, "application/json", FIXTURES.read("usage.response.json"));

        ChatCompletion c = openAi.chat().completions().create(ChatCompletionCreateParams.builder().model("gemini")
                .addSystemMessage("Be brief.").addUserMessage("Say hello.").temperature(0.3).maxCompletionTokens(500).build());

        assertThat(c.choices().get(0).message().content()).contains("Hello!");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(2100);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(2048L);
        assertThat(usage.completionTokens()).as("candidates + thoughts").isEqualTo(127);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).contains(124L);

        JsonNode body = Upstreams.parse(sent().getBodyAsString());
        assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
        assertThat(body.at("/contents/0/role").asText()).isEqualTo("user");
        assertThat(body.at("/contents/0/parts/0/text").asText()).isEqualTo("Say hello.");
        assertThat(body.at("/generationConfig/temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(500);
        assertThat(body.has("model")).as("the model is in Gemini's URL, not its body").isFalse();
    }

    @Test
    void anOpenAiSdkStreamAssemblesGeminisSseChunks() {
        answer(STREAM, 200, "text/event-stream", FIXTURES.read("text.stream.sse"));

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = openAi.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("gemini").addUserMessage("Hello!")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion c = accumulator.chatCompletion();

        assertThat(c.choices().get(0).message().content()).contains("Hello! How can I help you today?");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(9);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(9);
        JsonNode body = Upstreams.parse(sent().getBodyAsString());
        assertThat(body.at("/contents/0/parts/0/text").asText()).isEqualTo("Hello!");
    }

    @Test
    void aGeminiFunctionCallIsTheOpenAiSdksToolCall() {
        answer(GENERATE, 200, "application/json", FIXTURES.read("tool_call.response.json"));

        ChatCompletion c = openAi.chat().completions().create(ChatCompletionCreateParams.builder().model("gemini")
                .addUserMessage("Weather in Paris?").addFunctionTool(weatherFunction()).build());

        List<ChatCompletionMessageFunctionToolCall> calls = c.choices().get(0).message().toolCalls().orElseThrow().stream()
                .map(t -> t.function().orElseThrow()).toList();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).id()).as("Gemini gives no id; the plugin makes one up").matches("call_\\S{24}");
        assertThat(calls.get(0).function().name()).isEqualTo("get_weather");
        assertThat(Upstreams.parse(calls.get(0).function().arguments())).isEqualTo(Upstreams.parse("{\"city\":\"Paris\"}"));
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(64);

        JsonNode body = Upstreams.parse(sent().getBodyAsString());
        JsonNode declaration = body.at("/tools/0/functionDeclarations/0");
        assertThat(declaration.path("name").asText()).isEqualTo("get_weather");
        assertThat(declaration.path("description").asText()).isEqualTo("Current weather in a city");
        assertThat(declaration.at("/parametersJsonSchema/properties/city/type").asText()).isEqualTo("string");
    }

    @Test
    void aGeminiQuotaErrorIsTheOpenAiSdksRateLimitException() {
        answer(GENERATE, 429, "application/json", FIXTURES.read("error.resource_exhausted.json"));

        RateLimitException e = catchThrowableOfType(RateLimitException.class, () -> openAi.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("gemini").addUserMessage("Hello!").build()));

        assertThat(e).as("the SDK's typed 429").isNotNull();
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.getMessage()).contains("exceeded your current quota");
        assertThat(e.headers().values("retry-after")).as("Gemini's RetryInfo.retryDelay").containsExactly("37");
        assertThat(e.getMessage()).doesNotContain(Upstreams.KEY_SUFFIX);
        sent();
    }

    // ---- Anthropic SDK -----------------------------------------------------------------------

    @Test
    void anAnthropicSdkStreamGetsGeminisThoughtsAndSignatureAsThinkingAndItsFunctionCallAsToolUse() {
        answer(STREAM, 200, "text/event-stream", FIXTURES.readOwn("thinking_tool_call.stream.sse"));
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(MessageCreateParams.builder()
                .model("gemini").maxTokens(4096).addUserMessage("Weather in Paris?").enabledThinking(2048)
                .addTool(Tool.builder().name("get_weather").description("Current weather in a city")
                        .inputSchema(Tool.InputSchema.builder().properties(com.anthropic.core.JsonValue.from(
                                Map.of("city", Map.of("type", "string"), "unit", Map.of("type", "string")))).build())
                        .build())
                .build())) {
            s.stream().forEach(accumulator::accumulate);
        }
        Message m = accumulator.message();

        assertThat(m.content()).hasSize(2);
        ThinkingBlock thinking = m.content().get(0).thinking().orElseThrow();
        assertThat(thinking.thinking()).contains("I should call get_weather");
        assertThat(thinking.signature()).isEqualTo("CiQBVKhc7kM2bnQ1tQ3wZ2FwEXAMPLESTREAMSIGNATUREc2ln");
        ToolUseBlock call = m.content().get(1).toolUse().orElseThrow();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.id()).isNotBlank();
        assertThat(call._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris", "unit", "celsius"));
        assertThat(m.content()).noneMatch(ContentBlock::isText);
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(m.usage().inputTokens()).isEqualTo(64);
        assertThat(m.usage().outputTokens()).as("candidates + thoughts").isEqualTo(78);

        JsonNode body = Upstreams.parse(sent().getBodyAsString());
        assertThat(body.at("/generationConfig/thinkingConfig/thinkingBudget").asInt()).isEqualTo(2048);
        assertThat(body.at("/generationConfig/thinkingConfig/includeThoughts").asBoolean()).isTrue();
        assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(4096);
        assertThat(body.at("/tools/0/functionDeclarations/0/name").asText()).isEqualTo("get_weather");
        assertThat(body.at("/contents/0/parts/0/text").asText()).isEqualTo("Weather in Paris?");
    }
}
