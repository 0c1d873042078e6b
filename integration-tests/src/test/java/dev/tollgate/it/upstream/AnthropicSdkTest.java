package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.it.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic Java SDK, pointed at the gateway's {@code /v1/messages}, works unchanged:
 * answers, streams (events in Anthropic's order, assembled by the SDK's own accumulator), tool use
 * with a tool-result turn and typed errors — once from provider-mock, and once from provider-openai
 * translating to an OpenAI upstream (WireMock), where the Anthropic client must receive exactly the
 * tool calls and usage the OpenAI upstream sent.
 */
class AnthropicSdkTest {

    private static final String UPSTREAM_MODEL = "upstream-model";
    private static final String CITY_TOOL_SCHEMA_PROPERTY = "city";

    private static WireMockUpstream upstream;
    private static WireMockServer wireMock;
    private static TestGateway gateway;
    private static AnthropicClient client;

    @BeforeAll
    static void start() {
        upstream = WireMockUpstream.start("""
                plugins: [provider-mock, provider-openai]
                models:
                  mock:
                    deployments:
                      - provider: mock
                        model: mock-1
                """, "gpt-test", UPSTREAM_MODEL);
        wireMock = upstream.wireMock;
        gateway = upstream.gateway;
        client = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + gateway.port())
                .apiKey("unused")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void reset() {
        wireMock.resetAll();
    }

    private static MessageCreateParams.Builder ask(String model, String text) {
        return MessageCreateParams.builder().model(model).maxTokens(200).addUserMessage(text);
    }

    private static Tool weatherTool() {
        return Tool.builder().name("get_weather").description("the weather in a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(Tool.InputSchema.Properties.builder()
                                .putAdditionalProperty(CITY_TOOL_SCHEMA_PROPERTY, JsonValue.from(Map.of("type", "string")))
                                .build())
                        .required(List.of(CITY_TOOL_SCHEMA_PROPERTY))
                        .build())
                .build();
    }

    private static Message streamed(MessageCreateParams params, List<String> eventTypes) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(e -> {
                eventTypes.add(type(e));
                accumulator.accumulate(e);
            });
        }
        return accumulator.message();
    }

    private static String type(RawMessageStreamEvent e) {
        if (e.isMessageStart()) {
            return "message_start";
        }
        if (e.isContentBlockStart()) {
            return "content_block_start";
        }
        if (e.isContentBlockDelta()) {
            return "content_block_delta";
        }
        if (e.isContentBlockStop()) {
            return "content_block_stop";
        }
        if (e.isMessageDelta()) {
            return "message_delta";
        }
        return e.isMessageStop() ? "message_stop" : "other";
    }

    private static String text(Message m) {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : m.content()) {
            b.text().ifPresent(t -> sb.append(t.text()));
        }
        return sb.toString();
    }

    private static List<ToolUseBlock> toolUses(Message m) {
        return m.content().stream().filter(ContentBlock::isToolUse).map(b -> b.toolUse().orElseThrow()).toList();
    }

    private static JsonNode json(JsonValue v) throws Exception {
        return Upstreams.JSON.readTree(Upstreams.JSON.writeValueAsString(v));
    }

    // ---- from provider-mock ----------------------------------------------------------------

    @Test
    void aMessageFromTheMockHasTheSameTextAsTheOpenAiAnswerToTheSameMessages() throws Exception {
        Message m = client.messages().create(ask("mock", "Tell me about gateways").build());
        HttpResponse<String> openAi = Upstreams.http().send(HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about gateways\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String openAiText = Upstreams.parse(openAi.body()).path("choices").path(0).path("message").path("content").asText();
        assertThat(text(m)).isNotBlank().isEqualTo(openAiText);
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.model().asString()).isEqualTo("mock");
        assertThat(m.usage().inputTokens()).isEqualTo(Upstreams.parse(openAi.body()).path("usage").path("prompt_tokens").asLong());
        assertThat(m.usage().outputTokens()).isEqualTo(openAiText.split(" ").length);
    }

    @Test
    void aStreamFromTheMockComesInAnthropicsEventOrderAndAccumulatesToTheSameMessage() {
        List<String> events = new ArrayList<>();
        Message streamedMessage = streamed(ask("mock", "Stream to me").build(), events);
        Message whole = client.messages().create(ask("mock", "Stream to me").build());
        assertThat(events.get(0)).isEqualTo("message_start");
        assertThat(events.get(1)).isEqualTo("content_block_start");
        assertThat(events.subList(2, events.size() - 3)).isNotEmpty().allMatch("content_block_delta"::equals);
        assertThat(events.subList(events.size() - 3, events.size()))
                .containsExactly("content_block_stop", "message_delta", "message_stop");
        assertThat(text(streamedMessage)).isEqualTo(text(whole));
        assertThat(streamedMessage.stopReason()).contains(StopReason.END_TURN);
        assertThat(streamedMessage.usage().inputTokens()).isEqualTo(whole.usage().inputTokens());
        assertThat(streamedMessage.usage().outputTokens()).isEqualTo(whole.usage().outputTokens());
    }

    @Test
    void toolUseWithAToolResultTurnThroughTheMock() throws Exception {
        MessageCreateParams first = ask("mock", "Paris").addTool(weatherTool()).build();
        Message call = client.messages().create(first);
        assertThat(call.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock use = toolUses(call).get(0);
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(json(use._input()).path(CITY_TOOL_SCHEMA_PROPERTY).asText()).isEqualTo("Paris");

        List<String> events = new ArrayList<>();
        Message streamedCall = streamed(first, events);
        assertThat(toolUses(streamedCall)).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("get_weather");
            assertThat(u._input()).isEqualTo(use._input());
        });

        Message answer = client.messages().create(ask("mock", "Paris").addTool(weatherTool())
                .addMessage(call)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(use.id()).content("Sunny, 21 C").build())))
                .build());
        assertThat(answer.stopReason()).contains(StopReason.END_TURN);
        assertThat(text(answer)).isEqualTo("The tool returned: Sunny, 21 C");
    }

    @Test
    void anUnknownModelIsAnAnthropicNotFoundError() {
        NotFoundException e = catchThrowableOfType(NotFoundException.class,
                () -> client.messages().create(ask("no-such-model", "hi").build()));
        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.getMessage()).contains("no-such-model");
    }

    // ---- from an OpenAI upstream, translated ----------------------------------------------

    @Test
    void aTranslatedAnswerCarriesTheUpstreamsTextStopReasonAndUsage() throws Exception {
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("""
                        {"id":"chatcmpl-7","object":"chat.completion","created":1700000000,"model":"upstream-model",
                         "choices":[{"index":0,"message":{"role":"assistant","content":"Bonjour."},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":42,"completion_tokens":7,"total_tokens":49,
                                  "prompt_tokens_details":{"cached_tokens":10}}}""")));
        Message m = client.messages().create(ask("gpt-test", "Say hello in French").system("Be brief.").build());
        assertThat(text(m)).isEqualTo("Bonjour.");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isEqualTo(32);
        assertThat(m.usage().cacheReadInputTokens()).contains(10L);
        assertThat(m.usage().outputTokens()).isEqualTo(7);

        LoggedRequest sent = wireMock.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(0);
        JsonNode body = Upstreams.parse(sent.getBodyAsString());
        assertThat(body.path("model").asText()).isEqualTo(UPSTREAM_MODEL);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(200);
        assertThat(body.path("messages").path(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").path(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(body.path("messages").path(1).path("content").asText()).isEqualTo("Say hello in French");
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + Upstreams.KEY);
    }

    @Test
    void twoParallelToolCallsStreamedInPiecesReachTheAnthropicClientExactly() throws Exception {
        String argsA = "{\"city\":\"Paris\",\"units\":\"metric\"}";
        String argsB = "{\"tz\":\"Europe/Paris\"}";
        StringBuilder sse = new StringBuilder();
        sse.append(chunk("{\"role\":\"assistant\",\"content\":null}", null));
        sse.append(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null));
        for (String piece : pieces(argsA, 3)) {
            sse.append(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + Upstreams.JSON.writeValueAsString(piece) + "}}]}", null));
        }
        sse.append(chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}", null));
        for (String piece : pieces(argsB, 2)) {
            sse.append(chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":" + Upstreams.JSON.writeValueAsString(piece) + "}}]}", null));
        }
        sse.append(chunk("{}", "tool_calls"));
        sse.append("data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"upstream-model\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":17,\"total_tokens\":59,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":10}}}\n\ndata: [DONE]\n\n");
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(sse.toString())));

        List<String> events = new ArrayList<>();
        Message m = streamed(ask("gpt-test", "Weather and time in Paris?").addTool(weatherTool()).build(), events);

        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        List<ToolUseBlock> uses = toolUses(m);
        assertThat(uses).extracting(ToolUseBlock::id).containsExactly("call_a", "call_b");
        assertThat(uses).extracting(ToolUseBlock::name).containsExactly("get_weather", "get_time");
        assertThat(json(uses.get(0)._input())).isEqualTo(Upstreams.JSON.readTree(argsA));
        assertThat(json(uses.get(1)._input())).isEqualTo(Upstreams.JSON.readTree(argsB));
        assertThat(m.usage().inputTokens()).isEqualTo(32);
        assertThat(m.usage().cacheReadInputTokens()).contains(10L);
        assertThat(m.usage().outputTokens()).isEqualTo(17);
        assertThat(events).containsSubsequence("message_start", "content_block_start", "content_block_stop",
                "content_block_start", "content_block_stop", "message_delta", "message_stop");

        JsonNode sent = Upstreams.parse(wireMock.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(0).getBodyAsString());
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(sent.path("tools").path(0).path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(sent.path("tools").path(0).path("function").path("parameters").path("required").path(0).asText()).isEqualTo("city");
    }

    @Test
    void aToolResultTurnReachesTheOpenAiUpstreamAsAToolMessage() throws Exception {
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("""
                        {"id":"chatcmpl-8","object":"chat.completion","created":1700000000,"model":"upstream-model",
                         "choices":[{"index":0,"message":{"role":"assistant","content":"It is sunny."},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":60,"completion_tokens":4,"total_tokens":64}}""")));
        ToolUseBlockParam use = ToolUseBlockParam.builder().id("call_a").name("get_weather")
                .input(ToolUseBlockParam.Input.builder().putAdditionalProperty("city", JsonValue.from("Paris")).build())
                .build();
        Message answer = client.messages().create(ask("gpt-test", "Weather in Paris?").addTool(weatherTool())
                .addAssistantMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolUse(use)))
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId("call_a").content("Sunny, 21 C").build())))
                .build());
        assertThat(text(answer)).isEqualTo("It is sunny.");
        JsonNode messages = Upstreams.parse(wireMock.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(0)
                .getBodyAsString()).path("messages");
        assertThat(messages.path(1).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.path(1).path("tool_calls").path(0).path("id").asText()).isEqualTo("call_a");
        assertThat(Upstreams.JSON.readTree(messages.path(1).path("tool_calls").path(0).path("function").path("arguments").asText()))
                .isEqualTo(Upstreams.JSON.readTree("{\"city\":\"Paris\"}"));
        assertThat(messages.path(2).path("role").asText()).isEqualTo("tool");
        assertThat(messages.path(2).path("tool_call_id").asText()).isEqualTo("call_a");
        assertThat(messages.path(2).path("content").asText()).isEqualTo("Sunny, 21 C");
    }

    @Test
    void anUpstreamRejectionIsAnAnthropicBadRequestWithTheProvidersMessage() {
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\","
                        + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}")));
        BadRequestException e = catchThrowableOfType(BadRequestException.class,
                () -> client.messages().create(ask("gpt-test", "a very long prompt").build()));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.getMessage()).contains("maximum context length is 8192 tokens");
    }

    @Test
    void anUpstreamRateLimitIsAnAnthropicRateLimitErrorWithRetryAfter() {
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "7")
                .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")));
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> client.messages().create(ask("gpt-test", "hi").build()));
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.headers().values("retry-after")).containsExactly("7");
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"upstream-model\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
    }

    private static List<String> pieces(String s, int size) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.length(); i += size) {
            out.add(s.substring(i, Math.min(s.length(), i + size)));
        }
        return out;
    }
}
