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
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseItem;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK's Responses client against stored responses on the embedded store:
 * a function-call round trip through {@code previousResponseId} (from provider-mock, and from
 * provider-openai translating to a WireMock Chat Completions upstream that must receive the whole
 * conversation), then {@code retrieve}, {@code inputItems().list} and {@code delete}.
 */
class OpenAiStoredResponsesSdkTest {

    private static final String UPSTREAM_MODEL = "upstream-model";
    private static final String TOOL_ANSWER = "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"" + UPSTREAM_MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":8,\"total_tokens\":28}}";

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
        // the first turn calls the tool; once a tool result is in the conversation, the upstream answers in text
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(TOOL_ANSWER)));
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'tool')]"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.completion(UPSTREAM_MODEL, "It is sunny in Paris"))));
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder().name("weather").strict(false)
                .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(java.util.Map.of("city", java.util.Map.of("type", "string"))))
                        .build())
                .build();
    }

    private static String text(Response r) {
        StringBuilder b = new StringBuilder();
        r.output().forEach(item -> item.message().ifPresent(m -> m.content().forEach(
                c -> c.outputText().ifPresent(t -> b.append(t.text())))));
        return b.toString();
    }

    private static ResponseFunctionToolCall functionCall(Response r) {
        return r.output().stream().flatMap(i -> i.functionCall().stream()).findFirst().orElseThrow();
    }

    /** Asks, gets a function call, answers it through previousResponseId alone; returns both responses. */
    private static Response[] roundTrip(String model) {
        Response first = client.responses().create(ResponseCreateParams.builder().model(model).instructions("Use the tools.")
                .input("Weather in Paris?").addTool(weatherTool()).build());
        assertThat(first._additionalProperties().get("store")).as("store defaults to true, as OpenAI's").isEqualTo(JsonValue.from(true));
        ResponseFunctionToolCall call = functionCall(first);
        assertThat(call.name()).isEqualTo("weather");

        Response second = client.responses().create(ResponseCreateParams.builder().model(model).addTool(weatherTool())
                .previousResponseId(first.id())
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                        .callId(call.callId()).output("sunny, 22 C").build())))
                .build());
        assertThat(second.previousResponseId()).contains(first.id());
        return new Response[] {first, second};
    }

    @Test
    void aFunctionCallRoundTripThroughPreviousResponseIdSendsTheWholeConversationUpstream() {
        Response[] turns = roundTrip("gpt-test");

        assertThat(text(turns[1])).isEqualTo("It is sunny in Paris");
        wireMock.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("user")))
                .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo("Weather in Paris?")))
                .withRequestBody(matchingJsonPath("$.messages[1].role", equalTo("assistant")))
                .withRequestBody(matchingJsonPath("$.messages[1].tool_calls[0].id", equalTo("call_7")))
                .withRequestBody(matchingJsonPath("$.messages[1].tool_calls[0].function.name", equalTo("weather")))
                .withRequestBody(matchingJsonPath("$.messages[1].tool_calls[0].function.arguments", equalTo("{\"city\":\"Paris\"}")))
                .withRequestBody(matchingJsonPath("$.messages[2].role", equalTo("tool")))
                .withRequestBody(matchingJsonPath("$.messages[2].tool_call_id", equalTo("call_7")))
                .withRequestBody(matchingJsonPath("$.messages[2].content", equalTo("sunny, 22 C")))
                .withRequestBody(matchingJsonPath("$.messages[3]", com.github.tomakehurst.wiremock.client.WireMock.absent())));
    }

    @Test
    void aFunctionCallRoundTripFromTheMockProvider() {
        Response[] turns = roundTrip("mock");
        assertThat(text(turns[1])).as("after a tool result the mock quotes it").contains("sunny, 22 C");
    }

    @Test
    void retrieveInputItemsAndDeleteThroughTheSdk() {
        Response[] turns = roundTrip("mock");
        Response second = turns[1];

        Response retrieved = client.responses().retrieve(second.id());
        assertThat(retrieved.id()).isEqualTo(second.id());
        assertThat(text(retrieved)).isEqualTo(text(second));
        assertThat(retrieved.previousResponseId()).contains(turns[0].id());

        List<ResponseItem> items = client.responses().inputItems().list(second.id()).data();
        assertThat(items).hasSize(1);
        String callId = functionCall(turns[0]).callId();
        assertThat(items.getFirst().functionCallOutput()).hasValueSatisfying(o -> assertThat(o._callId().asString()).contains(callId));

        List<ResponseItem> firstItems = client.responses().inputItems().list(turns[0].id()).data();
        assertThat(firstItems).hasSize(1);
        assertThat(firstItems.getFirst().responseInputMessageItem()).hasValueSatisfying(m -> assertThat(m.content().getFirst()
                .inputText().orElseThrow().text()).isEqualTo("Weather in Paris?"));

        client.responses().delete(second.id());
        NotFoundException gone = catchThrowableOfType(NotFoundException.class, () -> client.responses().retrieve(second.id()));
        assertThat(gone).as("a deleted response is not found").isNotNull();
        assertThat(client.responses().retrieve(turns[0].id()).id()).as("its ancestor stays").isEqualTo(turns[0].id());
    }

    @Test
    void anUnknownPreviousResponseIdIsTheSdksBadRequestNamingTheField() {
        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> client.responses().create(
                ResponseCreateParams.builder().model("mock").input("hi").previousResponseId("resp_unknown").build()));
        assertThat(e).isNotNull();
        assertThat(e.param()).hasValue("previous_response_id");
    }
}
