package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.MODEL;
import static dev.tollgate.plugin.openai.TestSupport.REQUEST_ID;
import static dev.tollgate.plugin.openai.TestSupport.UPSTREAM_MODEL;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.RecordingStreamSink.NativeEvent;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Responses clients passed through to OpenAI's own {@code /responses}: bytes in and out untouched but the model, usage and id observed. */
class ResponsesPassThroughTest {

    /** A follow-up turn: a reasoning item with its encrypted content returned as input, stored state named, odd spacing kept. */
    static final String BODY = "{ \"model\" : \"gpt-4o\",\n  \"input\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],"
            + "\"encrypted_content\":\"gAAAAB\\u002bx/9==\"},{\"role\":\"user\",\"content\":\"and then?\"}],"
            + "\"include\":[\"reasoning.encrypted_content\"],\"previous_response_id\":\"resp_prev\",\"store\":false,"
            + "\"tools\":[{\"type\":\"web_search\"}],\"reasoning\":{\"effort\":\"high\"}}";

    static final String ANSWER = "{\"id\":\"resp_abc\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\","
            + "\"model\":\"gpt-4o-2024-08-06\",\"output\":[{\"type\":\"reasoning\",\"id\":\"rs_2\",\"summary\":[],"
            + "\"encrypted_content\":\"gAAAAC==\"},{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"status\":\"completed\","
            + "\"content\":[{\"type\":\"output_text\",\"text\":\"then it rained\",\"annotations\":[]}]}],"
            + "\"usage\":{\"input_tokens\":120,\"input_tokens_details\":{\"cached_tokens\":100},\"output_tokens\":40,"
            + "\"output_tokens_details\":{\"reasoning_tokens\":32},\"total_tokens\":160}}";

    private static final Usage USAGE = Usage.builder().inputTokens(120).cachedInputTokens(100).outputTokens(40).reasoningTokens(32).build();

    private static Map<String, Object> openAi() {
        return Map.of("api_key", KEY);
    }

    private static ProviderRequest request(boolean stream) {
        return TestRequests.openAiResponses(REQUEST_ID, MODEL, stream, BODY, UPSTREAM_MODEL);
    }

    private static String rewritten() {
        return BODY.replace("\"model\" : \"gpt-4o\"", "\"model\" : \"gpt-4o-2024-08-06\"");
    }

    @Test
    void openAiItselfServesResponsesNativelyAndCompatibleServersAreTranslated() {
        assertThat(adapter(openAi()).nativeFormats()).contains(WireFormat.OPENAI_RESPONSES);
        assertThat(adapter(Map.of("preset", "openai", "api_key", KEY)).nativeFormats()).contains(WireFormat.OPENAI_RESPONSES);
        assertThat(adapter(Map.of("api_base", "http://localhost:8000/v1")).nativeFormats()).doesNotContain(WireFormat.OPENAI_RESPONSES);
        assertThat(adapter(Map.of("preset", "groq", "api_key", KEY)).nativeFormats()).doesNotContain(WireFormat.OPENAI_RESPONSES);
        assertThat(adapter(Map.of("api_key", KEY, "responses", "translate")).nativeFormats()).doesNotContain(WireFormat.OPENAI_RESPONSES);
        assertThat(adapter(Map.of("api_base", "http://localhost:8000/v1", "responses", "native")).nativeFormats())
                .contains(WireFormat.OPENAI_RESPONSES, WireFormat.OPENAI_CHAT);
    }

    @Test
    void anUnknownResponsesSettingIsAConfigErrorNamingTheKey() {
        assertThatThrownBy(() -> adapter(Map.of("api_key", KEY, "responses", "yes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(TestSupport.PATH + ".responses")
                .hasMessageContaining("auto, native or translate");
    }

    @Test
    void theUpstreamReceivesTheClientsBytesWithOnlyTheModelRewritten() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, ANSWER));

        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(openAi()), request(false), http);

        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        UpstreamRequest sent = http.onlyRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.uri()).hasToString("https://api.openai.com/v1/responses");
        assertThat(sent.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(sent.headers().first("Accept")).contains("application/json");
        // the encrypted reasoning, previous_response_id, store, include and the built-in tool go as the client wrote them
        assertThat(sent.body().utf8()).isEqualTo(rewritten());
    }

    @Test
    void theClientsBytesThemselvesGoUpstreamWhenTheModelMatches() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, ANSWER));
        ProviderRequest request = TestRequests.openAiResponses(REQUEST_ID, MODEL, false, BODY, MODEL);

        TestSupport.answer(adapter(openAi()), request, http);

        assertThat(http.onlyRequest().body()).isSameAs(request.nativeBody().orElseThrow());
    }

    @Test
    void theAnswerIsRelayedByteForByteWithItsUsageAndId() {
        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(openAi()), request(false),
                ScriptedUpstreamHttp.always(Reply.json(200, ANSWER).withHeader("openai-processing-ms", "321")));

        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        assertThat(sink.body().toArray()).isEqualTo(ANSWER.getBytes(StandardCharsets.UTF_8));
        assertThat(sink.observed().observedUsage()).contains(USAGE);
        assertThat(sink.observed().responseId()).contains("resp_abc");
        assertThat(sink.headers().first("openai-processing-ms")).contains("321");
    }

    @Test
    void anAnswerTooLargeToHoldIsRelayedAsItArrivesWithItsUsageAndId() {
        String big = ANSWER.replace("then it rained", "x".repeat(NativeAnswer.HOLD_LIMIT + 10));
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);

        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(openAi()), request(false),
                ScriptedUpstreamHttp.always(Reply.of(200, Headers.of("Content-Type", "application/json"), SseFixtures.split(bytes, 8192))));

        assertThat(sink.kind()).isEqualTo(Kind.RELAYED);
        assertThat(sink.body().toArray()).isEqualTo(bytes);
        assertThat(sink.observed().observedUsage()).contains(USAGE);
        assertThat(sink.observed().responseId()).contains("resp_abc");
    }

    @Test
    void anAnswerThatIsNotAResponseIsMalformed() {
        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(openAi()), request(false),
                ScriptedUpstreamHttp.always(Reply.json(200, "{\"id\":\"chatcmpl-1\",\"choices\":[]}")));

        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.error().status()).isEqualTo(502);
    }

    @Test
    void errorsAreMappedLikeTheChatPath() {
        GatewayException notFound = fail(Reply.json(400, "{\"error\":{\"message\":\"Previous response with id 'resp_prev' not found.\","
                + "\"type\":\"invalid_request_error\",\"param\":\"previous_response_id\",\"code\":\"previous_response_not_found\"}}"));
        assertThat(notFound.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
        assertThat(notFound.status()).isEqualTo(400);
        assertThat(notFound.code()).isEqualTo("previous_response_not_found");
        assertThat(notFound.param()).contains("previous_response_id");
        assertThat(notFound.getMessage()).contains("resp_prev");

        GatewayException limited = fail(Reply.json(429, SseFixtures.openAiError("slow down", "requests", "rate_limit_exceeded"))
                .withHeader("Retry-After", "7"));
        assertThat(limited.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(7));

        GatewayException auth = fail(Reply.json(401, SseFixtures.openAiError("bad key " + KEY, "invalid_request_error", "invalid_api_key")));
        assertThat(auth.status()).isEqualTo(502);
        assertThat(auth.code()).isEqualTo("upstream_auth_failed");
        assertThat(auth.getMessage()).doesNotContain(KEY);

        GatewayException server = fail(Reply.json(500, SseFixtures.openAiError("boom", "server_error", null)));
        assertThat(server.type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
        assertThat(server.status()).isEqualTo(502);
    }

    private static GatewayException fail(Reply reply) {
        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(openAi()), request(false), ScriptedUpstreamHttp.always(reply));
        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        RecordingStreamSink stream = TestSupport.stream(adapter(openAi()), request(true), ScriptedUpstreamHttp.always(reply));
        assertThat(stream.error()).as("the stream maps it alike").isNotNull();
        assertThat(stream.error().code()).isEqualTo(sink.error().code());
        return sink.error();
    }

    // ---- streams -----------------------------------------------------------------------------------------------------

    /** Named server-sent events, as OpenAI sends them. */
    static byte[] events(String... nameAndData) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < nameAndData.length; i += 2) {
            out.writeBytes(("event: " + nameAndData[i] + "\ndata: " + nameAndData[i + 1] + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    static final String CREATED = "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_abc\","
            + "\"object\":\"response\",\"status\":\"in_progress\",\"output\":[],\"usage\":null}}";
    static final String DELTA = "{\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\","
            + "\"output_index\":1,\"content_index\":0,\"delta\":\"then \\\"it\\\" rained\"}";
    static final String COMPLETED = "{\"type\":\"response.completed\",\"sequence_number\":2,\"response\":" + ANSWER + "}";

    private static final List<String> NAMES = List.of("response.created", "response.output_text.delta", "response.completed");

    private static RecordingStreamSink stream(Reply reply, ScriptedUpstreamHttp[] http) {
        http[0] = ScriptedUpstreamHttp.always(reply);
        return TestSupport.stream(adapter(openAi()), request(true), http[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 100_000})
    void aStreamIsRelayedEventByEventUntouchedWithItsIdAndUsage(int pieceSize) {
        byte[] body = events(NAMES.get(0), CREATED, NAMES.get(1), DELTA, NAMES.get(2), COMPLETED);
        ScriptedUpstreamHttp[] http = new ScriptedUpstreamHttp[1];

        RecordingStreamSink sink = stream(Reply.eventStream(SseFixtures.split(body, pieceSize)), http);

        assertThat(sink.error()).isNull();
        assertThat(sink.completed()).isTrue();
        assertThat(sink.events()).isEmpty();
        assertThat(sink.nativeEvents()).extracting(NativeEvent::name).containsExactlyElementsOf(NAMES);
        assertThat(sink.nativeTexts()).containsExactly(CREATED, DELTA, COMPLETED);
        assertThat(sink.observed().responseId()).contains("resp_abc");
        assertThat(sink.observed().observedUsage()).contains(USAGE);

        UpstreamRequest sent = http[0].onlyRequest();
        assertThat(sent.uri()).hasToString("https://api.openai.com/v1/responses");
        assertThat(sent.headers().first("Accept")).contains("text/event-stream");
        assertThat(sent.body().utf8()).as("no stream_options: Responses streams carry their usage").isEqualTo(rewritten());
    }

    @Test
    void anIncompleteResponseEndsTheStreamWithItsUsage() {
        String incomplete = COMPLETED.replace("response.completed", "response.incomplete");
        RecordingStreamSink sink = stream(Reply.eventStream(List.of(events("response.created", CREATED, "response.incomplete", incomplete))),
                new ScriptedUpstreamHttp[1]);

        assertThat(sink.completed()).isTrue();
        assertThat(sink.observed().observedUsage()).contains(USAGE);
    }

    @Test
    void anInterruptedStreamFailsAfterTheEventsThatCame() {
        byte[] body = events(NAMES.get(0), CREATED, NAMES.get(1), DELTA);
        RecordingStreamSink reset = stream(Reply.eventStream(List.of(body)).thenFail(ScriptedUpstreamHttp.reset()), new ScriptedUpstreamHttp[1]);

        assertThat(reset.nativeTexts()).containsExactly(CREATED, DELTA);
        assertThat(reset.completed()).isFalse();
        assertThat(reset.error()).isNotNull();
        assertThat(reset.observed().responseId()).as("known from response.created").contains("resp_abc");

        RecordingStreamSink cut = stream(Reply.eventStream(List.of(body)), new ScriptedUpstreamHttp[1]);
        assertThat(cut.completed()).isFalse();
        assertThat(cut.error().code()).isEqualTo("upstream_stream_truncated");
    }

    @Test
    void anErrorEventOrAFailedResponseIsTheProvidersErrorAndNotRelayed() {
        String error = "{\"type\":\"error\",\"code\":\"server_error\",\"message\":\"The model failed\",\"param\":null,\"sequence_number\":1}";
        RecordingStreamSink errorEvent = stream(Reply.eventStream(List.of(events("response.created", CREATED, "error", error))),
                new ScriptedUpstreamHttp[1]);
        assertThat(errorEvent.nativeTexts()).containsExactly(CREATED);
        assertThat(errorEvent.error().code()).isEqualTo("upstream_stream_error");
        assertThat(errorEvent.error().getMessage()).isEqualTo("The model failed");

        String failed = "{\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"resp_abc\",\"status\":\"failed\","
                + "\"error\":{\"code\":\"server_error\",\"message\":\"Something broke\"},\"output\":[]}}";
        RecordingStreamSink failedResponse = stream(Reply.eventStream(List.of(events("response.created", CREATED, "response.failed", failed))),
                new ScriptedUpstreamHttp[1]);
        assertThat(failedResponse.nativeTexts()).containsExactly(CREATED);
        assertThat(failedResponse.error().getMessage()).isEqualTo("Something broke");
    }

    @Test
    void anEventThatIsNotJsonIsMalformedAndNeverRelayed() {
        RecordingStreamSink sink = stream(Reply.eventStream(List.of(events("response.created", CREATED, "response.output_text.delta", "<html>"))),
                new ScriptedUpstreamHttp[1]);

        assertThat(sink.nativeTexts()).containsExactly(CREATED);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void azureServesResponsesOnItsV1SurfaceNamingTheDeploymentInTheBody() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("preset", "azure");
        config.put("endpoint", "https://res.openai.azure.com");
        config.put("deployment", "gpt4o-prod");
        config.put("api_key", KEY);
        config.put("responses", "native");
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, ANSWER));

        TestSupport.answer(adapter(config), request(false), http);

        UpstreamRequest sent = http.onlyRequest();
        assertThat(sent.uri()).hasToString("https://res.openai.azure.com/openai/v1/responses");
        assertThat(sent.headers().first("api-key")).contains(KEY);
        assertThat(sent.body().utf8()).isEqualTo(BODY.replace("\"model\" : \"gpt-4o\"", "\"model\" : \"gpt4o-prod\""));
        assertThat(adapter(Map.of("preset", "azure", "endpoint", "https://res.openai.azure.com", "deployment", "d", "api_key", KEY))
                .nativeFormats()).as("Azure translates unless told").doesNotContain(WireFormat.OPENAI_RESPONSES);
    }
}
