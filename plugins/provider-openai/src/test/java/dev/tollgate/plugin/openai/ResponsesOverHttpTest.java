package dev.tollgate.plugin.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.tollgate.plugin.openai.ResponsesPassThroughTest.ANSWER;
import static dev.tollgate.plugin.openai.ResponsesPassThroughTest.BODY;
import static dev.tollgate.plugin.openai.ResponsesPassThroughTest.COMPLETED;
import static dev.tollgate.plugin.openai.ResponsesPassThroughTest.CREATED;
import static dev.tollgate.plugin.openai.ResponsesPassThroughTest.DELTA;
import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.MODEL;
import static dev.tollgate.plugin.openai.TestSupport.REQUEST_ID;
import static dev.tollgate.plugin.openai.TestSupport.UPSTREAM_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.RecordingStreamSink.NativeEvent;
import dev.tollgate.spi.testkit.TestRequests;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Responses pass-through against a real HTTP upstream (WireMock): the bytes WireMock receives
 * and the bytes relayed, streams dribbled in many network pieces, errors, and connections that break.
 */
class ResponsesOverHttpTest {

    private static final Usage USAGE = Usage.builder().inputTokens(120).cachedInputTokens(100).outputTokens(40).reasoningTokens(32).build();
    private static final String STREAM = "event: response.created\ndata: " + CREATED + "\n\n"
            + "event: response.output_text.delta\ndata: " + DELTA + "\n\n"
            + "event: response.completed\ndata: " + COMPLETED + "\n\n";

    private static WireMockServer wireMock;
    private static JdkUpstreamHttp http;

    @BeforeAll
    static void start() {
        wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        http = new JdkUpstreamHttp();
    }

    @AfterAll
    static void stop() {
        http.close();
        wireMock.stop();
    }

    @BeforeEach
    void reset() {
        wireMock.resetAll();
    }

    private static OpenAiAdapter adapter() {
        return TestSupport.adapter(Map.of("api_base", "http://127.0.0.1:" + wireMock.port() + "/v1", "api_key", KEY, "responses", "native"));
    }

    private static ProviderRequest request(boolean stream) {
        return TestRequests.openAiResponses(REQUEST_ID, MODEL, stream, BODY, UPSTREAM_MODEL);
    }

    private static String received() {
        return wireMock.findAll(postRequestedFor(urlEqualTo("/v1/responses"))).getFirst().getBodyAsString();
    }

    @Test
    void theUpstreamReceivesTheClientsBytesButTheModelAndTheAnswerComesBackIdentical() {
        wireMock.stubFor(post(urlEqualTo("/v1/responses"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(ANSWER)));

        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(), request(false), http);

        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        assertThat(received()).isEqualTo(BODY.replace("\"model\" : \"gpt-4o\"", "\"model\" : \"" + UPSTREAM_MODEL + "\""));
        wireMock.verify(postRequestedFor(urlEqualTo("/v1/responses")).withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("X-Request-Id", equalTo(REQUEST_ID)));
        assertThat(sink.body().toArray()).isEqualTo(ANSWER.getBytes(StandardCharsets.UTF_8));
        assertThat(sink.observed().observedUsage()).contains(USAGE);
        assertThat(sink.observed().responseId()).contains("resp_abc");
    }

    @Test
    void aStreamDribbledInManyPiecesIsRelayedEventByEventWithItsUsageAndId() {
        wireMock.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(STREAM).withChunkedDribbleDelay(40, 200)));

        RecordingStreamSink sink = TestSupport.stream(adapter(), request(true), http);

        assertThat(sink.error()).isNull();
        assertThat(sink.completed()).isTrue();
        assertThat(sink.nativeEvents()).extracting(NativeEvent::name)
                .containsExactly("response.created", "response.output_text.delta", "response.completed");
        assertThat(sink.nativeTexts()).containsExactly(CREATED, DELTA, COMPLETED);
        assertThat(sink.observed().observedUsage()).contains(USAGE);
        assertThat(sink.observed().responseId()).contains("resp_abc");
        assertThat(received()).contains("\"model\" : \"" + UPSTREAM_MODEL + "\"").doesNotContain("stream_options");
    }

    @Test
    void anUpstreamRejectionIsMappedWithItsCodeAndParam() {
        wireMock.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Previous response with id 'resp_prev' not found.\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"previous_response_id\",\"code\":\"previous_response_not_found\"}}")));

        RecordingResponseSink<ChatResponse> whole = TestSupport.answer(adapter(), request(false), http);
        RecordingStreamSink streamed = TestSupport.stream(adapter(), request(true), http);

        for (var error : new dev.tollgate.spi.GatewayException[] {whole.error(), streamed.error()}) {
            assertThat(error.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
            assertThat(error.status()).isEqualTo(400);
            assertThat(error.code()).isEqualTo("previous_response_not_found");
            assertThat(error.param()).contains("previous_response_id");
        }
    }

    @Test
    void aStreamWhoseConnectionBreaksOrEndsEarlyFails() {
        wireMock.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody("event: response.created\ndata: " + CREATED + "\n\n")));
        RecordingStreamSink cut = TestSupport.stream(adapter(), request(true), http);
        assertThat(cut.nativeTexts()).containsExactly(CREATED);
        assertThat(cut.completed()).isFalse();
        assertThat(cut.error().code()).isEqualTo("upstream_stream_truncated");

        wireMock.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        RecordingStreamSink reset = TestSupport.stream(adapter(), request(true), http);
        assertThat(reset.completed()).isFalse();
        assertThat(reset.error()).isNotNull();
        assertThat(reset.error().type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
    }
}
