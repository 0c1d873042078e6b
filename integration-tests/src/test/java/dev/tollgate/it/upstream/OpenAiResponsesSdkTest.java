package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK's Responses client against the gateway, stateless: answers and
 * streams from provider-mock and from provider-openai translating to a WireMock Chat Completions
 * upstream, and the SDK's typed error for the gateway's error document.
 */
class OpenAiResponsesSdkTest {

    private static final String UPSTREAM_MODEL = "upstream-model";

    private static WireMockUpstream upstream;
    private static WireMockServer wireMock;
    private static OpenAIClient client;

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
        client = Upstreams.openAiSdk(upstream.gateway);
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
    void stub() {
        wireMock.resetAll();
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.completion(UPSTREAM_MODEL, "Hello from upstream"))));
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(Upstreams.sseBody(UPSTREAM_MODEL, "Hello", " from", " upstream"))));
    }

    private static ResponseCreateParams params(String model) {
        return ResponseCreateParams.builder().model(model).instructions("Be kind.").input("say something nice")
                .maxOutputTokens(64).store(false).build();
    }

    private static String text(Response r) {
        StringBuilder b = new StringBuilder();
        r.output().forEach(item -> item.message().ifPresent(m -> m.content().forEach(
                c -> c.outputText().ifPresent(t -> b.append(t.text())))));
        return b.toString();
    }

    /** Reads a stream to its end through the SDK's accumulator, which refuses events out of order. */
    private static Response streamed(ResponseCreateParams params, List<String> deltas) {
        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(params)) {
            s.stream().forEach(e -> {
                acc.accumulate(e);
                e.outputTextDelta().ifPresent(d -> deltas.add(d.delta()));
            });
        }
        return acc.response();
    }

    @Test
    void answerThroughProviderOpenAi() {
        Response r = client.responses().create(params("gpt-test"));

        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        assertThat(text(r)).isEqualTo("Hello from upstream");
        ResponseUsage usage = r.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(9);
        assertThat(usage.outputTokens()).isEqualTo(3);
        assertThat(usage.totalTokens()).isEqualTo(12);
        assertThat(r.instructions().orElseThrow().asString()).as("the request's fields repeated").isEqualTo("Be kind.");
        assertThat(r.maxOutputTokens()).contains(64L);
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(UPSTREAM_MODEL)))
                .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("system")))
                .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo("Be kind.")))
                .withRequestBody(matchingJsonPath("$.messages[1].content", equalTo("say something nice"))));
    }

    @Test
    void streamThroughProviderOpenAi() {
        List<String> deltas = new java.util.ArrayList<>();
        Response r = streamed(params("gpt-test"), deltas);

        assertThat(deltas).containsExactly("Hello", " from", " upstream");
        assertThat(text(r)).isEqualTo("Hello from upstream");
        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(3);
        assertThat(r.instructions().orElseThrow().asString()).isEqualTo("Be kind.");
    }

    @Test
    void answerAndStreamFromTheMockProvider() {
        Response whole = client.responses().create(params("mock"));
        assertThat(text(whole)).isNotBlank();
        ResponseUsage u = whole.usage().orElseThrow();
        assertThat(u.totalTokens()).isEqualTo(u.inputTokens() + u.outputTokens());

        List<String> deltas = new java.util.ArrayList<>();
        Response streamed = streamed(params("mock"), deltas);
        assertThat(text(streamed)).isNotBlank().isEqualTo(String.join("", deltas));
        assertThat(streamed.usage().orElseThrow().outputTokens()).isPositive();
        assertThat(streamed.model().asString()).isEqualTo("mock");
    }

    @Test
    void unknownModelRaisesTheSdksNotFoundException() {
        NotFoundException e = catchThrowableOfType(NotFoundException.class, () -> client.responses().create(params("no-such-model")));

        assertThat(e).as("the SDK raised NotFoundException").isNotNull();
        assertThat(e.code()).hasValue("model_not_found");
        assertThat(e.param()).hasValue("model");
        wireMock.verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    private static final String TOOL_ANSWER = "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"" + UPSTREAM_MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":8,\"total_tokens\":28}}";

    private static String toolChunk(String delta) {
        return "data: {\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + UPSTREAM_MODEL
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]}\n\n";
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder().name("weather").strict(false)
                .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build())
                .build();
    }

    @Test
    void aFunctionCallRoundTripWithTheWholeConversationAsInput() {
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.tools[0].function.name", equalTo("weather")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(TOOL_ANSWER)));
        ResponseCreateParams ask = ResponseCreateParams.builder().model("gpt-test").input("Weather in Paris?")
                .addTool(weatherTool()).store(false).build();
        ResponseFunctionToolCall call = client.responses().create(ask).output().stream()
                .flatMap(i -> i.functionCall().stream()).findFirst().orElseThrow();
        assertThat(call.callId()).isEqualTo("call_7");
        assertThat(call.name()).isEqualTo("weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");

        ResponseCreateParams answer = ResponseCreateParams.builder().model("gpt-test").store(false).inputOfResponse(List.of(
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                        .content("Weather in Paris?").build()),
                ResponseInputItem.ofFunctionCall(ResponseFunctionToolCall.builder().callId(call.callId()).name(call.name())
                        .arguments(call.arguments()).build()),
                ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder().callId(call.callId())
                        .output("sunny").build()))).build();
        assertThat(text(client.responses().create(answer))).isEqualTo("Hello from upstream");
        wireMock.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.messages[1].tool_calls[0].id", equalTo("call_7")))
                .withRequestBody(matchingJsonPath("$.messages[1].tool_calls[0].function.name", equalTo("weather")))
                .withRequestBody(matchingJsonPath("$.messages[2].role", equalTo("tool")))
                .withRequestBody(matchingJsonPath("$.messages[2].tool_call_id", equalTo("call_7")))
                .withRequestBody(matchingJsonPath("$.messages[2].content", equalTo("sunny"))));
    }

    @Test
    void streamedFunctionCallArgumentsSplitAcrossManyUpstreamChunksArriveIntact() {
        String args = "{\"city\":\"Paris\",\"days\":[1,2,3],\"note\":\"" + "w".repeat(40) + "\"}";
        StringBuilder sse = new StringBuilder(toolChunk("{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_8\","
                + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}"));
        for (int i = 0; i < args.length(); i += 3) {
            String piece = args.substring(i, Math.min(args.length(), i + 3)).replace("\\", "\\\\").replace("\"", "\\\"");
            sse.append(toolChunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"" + piece + "\"}}]}"));
        }
        sse.append("data: {\"id\":\"chatcmpl-t\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + UPSTREAM_MODEL + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
        sse.append("data: ").append(Upstreams.usageChunk(UPSTREAM_MODEL, 20, 30)).append("\n\ndata: [DONE]\n\n");
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(0)
                .withRequestBody(matchingJsonPath("$.tools[0].function.name", equalTo("weather")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(sse.toString())));

        List<String> deltas = new java.util.ArrayList<>();
        Response r = streamed(ResponseCreateParams.builder().model("gpt-test").input("Weather?").addTool(weatherTool())
                .store(false).build(), deltas);
        ResponseFunctionToolCall call = r.output().stream().flatMap(i -> i.functionCall().stream()).findFirst().orElseThrow();
        assertThat(call.callId()).isEqualTo("call_8");
        assertThat(call.arguments()).isEqualTo(args);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(30);
    }
}
