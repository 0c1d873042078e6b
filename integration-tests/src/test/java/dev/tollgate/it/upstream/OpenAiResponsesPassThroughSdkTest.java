package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseIncludable;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import dev.tollgate.it.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK's Responses client through the gateway to a deployment that speaks
 * OpenAI's own Responses API ({@code responses: native}, a WireMock upstream): the upstream gets the
 * bytes the SDK wrote but for the model, the client gets the upstream's bytes, encrypted reasoning and
 * {@code previous_response_id} go through untouched (the upstream holds the state), and the request log
 * holds the usage and cost read from the passed-through answers.
 */
class OpenAiResponsesPassThroughSdkTest {

    private static final String UPSTREAM_MODEL = "upstream-model";
    private static final String ENCRYPTED = "gAAAAABo+Zx/3q==encrypted\\u002breasoning";

    private static WireMockServer wireMock;
    private static Path data;
    private static TestGateway gateway;
    private static OpenAIClient client;
    /** The same SDK talking to WireMock directly: what the SDK itself writes for the same parameters. */
    private static OpenAIClient direct;

    static final String ANSWER = """
            {"id":"resp_up_1","object":"response","created_at":1741476542,"status":"completed","background":false,"error":null,\
            "incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"upstream-model-2025-04-01",\
            "output":[{"id":"rs_1","type":"reasoning","summary":[],"encrypted_content":"%s"},\
            {"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text",\
            "text":"It rained.","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,\
            "reasoning":{"effort":"high","summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},\
            "tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":12000,\
            "input_tokens_details":{"cached_tokens":2000},"output_tokens":3000,"output_tokens_details":{"reasoning_tokens":1000},\
            "total_tokens":15000},"user":null,"metadata":{}}""".formatted(ENCRYPTED);

    private static String inProgress() {
        return ANSWER.replace("\"status\":\"completed\",\"background\"", "\"status\":\"in_progress\",\"background\"")
                .replaceAll("\"output\":\\[.*\\],\"parallel_tool_calls\"", "\"output\":[],\"parallel_tool_calls\"")
                .replaceAll("\"usage\":\\{.*\\},\"user\"", "\"usage\":null,\"user\"");
    }

    /** OpenAI's event stream for {@link #ANSWER}, framed as OpenAI frames it. */
    static final String STREAM = event("response.created", "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":" + inProgress() + "}")
            + event("response.in_progress", "{\"type\":\"response.in_progress\",\"sequence_number\":1,\"response\":" + inProgress() + "}")
            + event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,"
                    + "\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}")
            + event("response.content_part.added", "{\"type\":\"response.content_part.added\",\"sequence_number\":3,\"item_id\":\"msg_1\","
                    + "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}}")
            + event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"item_id\":\"msg_1\","
                    + "\"output_index\":0,\"content_index\":0,\"delta\":\"It \",\"logprobs\":[]}")
            + event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":5,\"item_id\":\"msg_1\","
                    + "\"output_index\":0,\"content_index\":0,\"delta\":\"rained.\",\"logprobs\":[]}")
            + event("response.output_text.done", "{\"type\":\"response.output_text.done\",\"sequence_number\":6,\"item_id\":\"msg_1\","
                    + "\"output_index\":0,\"content_index\":0,\"text\":\"It rained.\",\"logprobs\":[]}")
            + event("response.content_part.done", "{\"type\":\"response.content_part.done\",\"sequence_number\":7,\"item_id\":\"msg_1\","
                    + "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"It rained.\",\"annotations\":[]}}")
            + event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"sequence_number\":8,\"output_index\":0,"
                    + "\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":"
                    + "[{\"type\":\"output_text\",\"text\":\"It rained.\",\"annotations\":[]}]}}")
            + event("response.completed", "{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":" + ANSWER + "}");

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    @BeforeAll
    static void start() throws Exception {
        wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        data = Files.createTempDirectory("tollgate-responses-pass-");
        gateway = TestGateway.startIn(data, """
                plugins: [provider-openai, sink-jsonl]
                logging:
                  sinks:
                    - name: jsonl
                      flush_interval: 10ms
                      config: {dir: logs}
                models:
                  gpt-native:
                    deployments:
                      - provider: openai
                        model: %s
                        model_info: {input: 1.00, cached_input: 0.50, output: 4.00}
                        config:
                          api_base: http://127.0.0.1:%d/v1
                          api_key: ${env:UPSTREAM_KEY}
                          read_timeout: 2s
                          responses: native
                """.formatted(UPSTREAM_MODEL, wireMock.port()), Map.of("UPSTREAM_KEY", Upstreams.KEY));
        client = Upstreams.openAiSdk(gateway);
        direct = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + wireMock.port() + "/direct/v1").apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (direct != null) {
            direct.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (wireMock != null) {
            wireMock.stop();
        }
        if (data != null) {
            TestGateway.deleteTree(data);
        }
    }

    @BeforeEach
    void stub() {
        wireMock.resetAll();
        for (String path : List.of("/v1/responses", "/direct/v1/responses")) {
            wireMock.stubFor(post(urlEqualTo(path)).atPriority(5)
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(ANSWER)));
            wireMock.stubFor(post(urlEqualTo(path)).atPriority(1).withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(STREAM)));
        }
    }

    /** A second turn: the first answer's reasoning item (with its encrypted content) and a new user message. */
    private static ResponseCreateParams followUp(Response first, boolean previousId) {
        ResponseReasoningItem reasoning = first.output().stream().flatMap(i -> i.reasoning().stream()).findFirst().orElseThrow();
        ResponseCreateParams.Builder b = ResponseCreateParams.builder().model("gpt-native")
                .addInclude(ResponseIncludable.REASONING_ENCRYPTED_CONTENT).store(false)
                .inputOfResponse(List.of(ResponseInputItem.ofReasoning(reasoning),
                        ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                                .content("And then?").build())));
        if (previousId) {
            b.previousResponseId(first.id());
        }
        return b.build();
    }

    private static ResponseCreateParams firstTurn() {
        return ResponseCreateParams.builder().model("gpt-native").input("What happened?")
                .addInclude(ResponseIncludable.REASONING_ENCRYPTED_CONTENT).store(false).build();
    }

    private static String received(String path) {
        List<LoggedRequest> sent = wireMock.findAll(postRequestedFor(urlEqualTo(path)));
        assertThat(sent).as("requests to " + path).hasSize(1);
        return sent.getFirst().getBodyAsString();
    }

    @Test
    void theUpstreamReceivesTheBytesTheSdkWroteButForTheModelAndTheSdkReadsItsAnswer() {
        Response r = client.responses().create(firstTurn());
        direct.responses().create(firstTurn());

        assertThat(r.id()).isEqualTo("resp_up_1");
        assertThat(r.output().stream().flatMap(i -> i.message().stream()).findFirst().orElseThrow().content().getFirst()
                .outputText().orElseThrow().text()).isEqualTo("It rained.");
        ResponseUsage usage = r.usage().orElseThrow();
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(2000);
        assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(1000);
        String sdkWrote = received("/direct/v1/responses");
        assertThat(sdkWrote).contains("\"model\":\"gpt-native\"");
        assertThat(received("/v1/responses")).isEqualTo(sdkWrote.replace("\"model\":\"gpt-native\"", "\"model\":\"" + UPSTREAM_MODEL + "\""));
    }

    @Test
    void anEncryptedReasoningItemReturnedAsInputArrivesUnchangedAndPreviousResponseIdIsForwarded() {
        Response first = client.responses().create(firstTurn());
        wireMock.resetRequests();

        Response second = client.responses().create(followUp(first, true));
        direct.responses().create(followUp(first, true));

        assertThat(second.id()).isEqualTo("resp_up_1");
        String atUpstream = received("/v1/responses");
        assertThat(atUpstream).isEqualTo(received("/direct/v1/responses")
                .replace("\"model\":\"gpt-native\"", "\"model\":\"" + UPSTREAM_MODEL + "\""));
        wireMock.verify(postRequestedFor(urlEqualTo("/v1/responses"))
                .withRequestBody(matchingJsonPath("$.previous_response_id", equalTo("resp_up_1")))
                .withRequestBody(matchingJsonPath("$.input[0].type", equalTo("reasoning")))
                .withRequestBody(matchingJsonPath("$.input[0].id", equalTo("rs_1")))
                .withRequestBody(matchingJsonPath("$.input[0].encrypted_content", equalTo(first.output().getFirst().reasoning()
                        .orElseThrow().encryptedContent().orElseThrow()))));
    }

    @Test
    void theSdkStreamsThroughTheAccumulatorAndTheRawBytesAreTheUpstreams() throws Exception {
        ResponseAccumulator acc = ResponseAccumulator.create();
        List<String> deltas = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(followUp(client.responses().create(firstTurn()), true))) {
            s.stream().forEach(e -> {
                acc.accumulate(e);
                e.outputTextDelta().ifPresent(d -> deltas.add(d.delta()));
            });
        }
        Response streamed = acc.response();
        assertThat(deltas).containsExactly("It ", "rained.");
        assertThat(streamed.id()).isEqualTo("resp_up_1");
        assertThat(streamed.usage().orElseThrow().outputTokensDetails().reasoningTokens()).isEqualTo(1000);
        wireMock.verify(postRequestedFor(urlEqualTo("/v1/responses")).withRequestBody(containing("\"stream\":true"))
                .withRequestBody(matchingJsonPath("$.previous_response_id", equalTo("resp_up_1"))));

        String body = "{\"model\":\"gpt-native\",\"stream\":true,\"input\":\"What happened?\",\"store\":true}";
        HttpResponse<byte[]> raw = raw(body);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(new String(raw.body(), StandardCharsets.UTF_8)).isEqualTo(STREAM);
    }

    @Test
    void aWholeAnswerReachesTheClientByteForByte() throws Exception {
        HttpResponse<byte[]> raw = raw("{\"model\":\"gpt-native\",\"input\":\"What happened?\"}");

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(ANSWER.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRequestLogHoldsTheUsageAndCostOfThePassedThroughAnswers() throws Exception {
        ResponseCreateParams tagged = firstTurn().toBuilder().metadata(ResponseCreateParams.Metadata.builder()
                .putAdditionalProperty("case", JsonValue.from("request-log")).build()).build();
        client.responses().create(tagged);
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(tagged)) {
            s.stream().forEach(e -> { });
        }

        List<JsonNode> mine = awaitTagged("request-log", 2);
        for (JsonNode line : mine) {
            assertThat(line.get("endpoint").asText()).isEqualTo("/v1/responses");
            assertThat(line.get("deployment_id").asText()).isEqualTo("gpt-native#0");
            assertThat(line.get("input_tokens").asLong()).isEqualTo(12000);
            assertThat(line.get("cached_input_tokens").asLong()).isEqualTo(2000);
            assertThat(line.get("output_tokens").asLong()).isEqualTo(3000);
            assertThat(line.get("reasoning_tokens").asLong()).isEqualTo(1000);
            // 10000 × $1 + 2000 × $0.50 + 3000 × $4 per million tokens
            assertThat(line.get("cost_micros").asLong()).isEqualTo(23_000);
        }
        assertThat(mine).extracting(l -> l.get("stream").asBoolean()).containsExactlyInAnyOrder(false, true);
    }

    private static HttpResponse<byte[]> raw(String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/responses")).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private static List<JsonNode> lines() throws Exception {
        Path dir = data.resolve("logs");
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("requests-") && p.toString().endsWith(".jsonl"))
                    .sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.add(Upstreams.JSON.readTree(line));
                    }
                }
            }
        }
        return out;
    }

    private static List<JsonNode> awaitTagged(String tag, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<JsonNode> found;
        do {
            found = lines().stream().filter(l -> l.path("metadata").path("case").asText("").equals(tag)).toList();
            if (found.size() >= n) {
                break;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertThat(found).as("request records tagged " + tag).hasSize(n);
        return found;
    }
}
