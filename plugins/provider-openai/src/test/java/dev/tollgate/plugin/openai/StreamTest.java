package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.MODEL;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.streamChat;
import static dev.tollgate.spi.testkit.SseFixtures.contentChunk;
import static dev.tollgate.spi.testkit.SseFixtures.split;
import static dev.tollgate.spi.testkit.SseFixtures.sse;
import static dev.tollgate.spi.testkit.SseFixtures.stopChunk;
import static dev.tollgate.spi.testkit.SseFixtures.usageChunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.RecordingStreamSink.NativeEvent;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Streamed pass-through: the request for the upstream, chunks relayed untouched, usage observed, failures mapped. */
class StreamTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String M = "gpt-4o-2024-08-06";

    private ScriptedUpstreamHttp http;

    private RecordingStreamSink run(Reply reply) {
        return run(reply, Map.of("api_key", KEY), streamChat(BODY, false));
    }

    private RecordingStreamSink run(Reply reply, Map<String, ?> config, ProviderRequest request) {
        http = ScriptedUpstreamHttp.always(reply);
        return TestSupport.stream(adapter(config), request, http);
    }

    private static RecordingStreamSink runRaw(int status, List<byte[]> pieces, GatewayException failure) {
        UpstreamHttp raw = TestSupport.upstream(status, Headers.of("Content-Type", "application/json"), pieces, failure);
        return TestSupport.stream(adapter(Map.of()), streamChat(BODY, false), raw);
    }

    @Test
    void asksTheUpstreamForEventsAndUsage() {
        run(Reply.eventStream(List.of(sse(stopChunk("c", M), "[DONE]"))),
                Map.of("api_key", KEY, "read_timeout", "42s", "connect_timeout", "3s"), streamChat(BODY, false));

        UpstreamRequest r = http.onlyRequest();
        assertThat(r.uri()).hasToString("https://api.openai.com/v1/chat/completions");
        assertThat(r.headers().first("Accept")).contains("text/event-stream");
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("X-Request-Id")).contains("req-42");
        assertThat(r.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.responseTimeout()).isEqualTo(Duration.ofSeconds(42));
        assertThat(r.idleTimeout()).isEqualTo(Duration.ofSeconds(42));
        assertThat(r.body().utf8()).isEqualTo("{\"model\":\"" + M + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void includeUsageFalseNeitherAddsNorKeepsStreamOptions() {
        String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}";
        run(Reply.eventStream(List.of(sse(stopChunk("c", M), "[DONE]"))),
                Map.of("include_usage", false), TestRequests.openAiChat("req-42", MODEL, true, true, body, MODEL));

        assertThat(http.onlyRequest().body().utf8()).isEqualTo("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}");
    }

    @Test
    void includeUsageFalseWithMatchingModelSendsTheClientBytes() {
        ProviderRequest request = TestRequests.openAiChat("req-42", MODEL, true, false, BODY, MODEL);
        run(Reply.eventStream(List.of(sse(stopChunk("c", M), "[DONE]"))), Map.of("include_usage", "false"), request);

        assertThat(http.onlyRequest().body()).isSameAs(request.nativeBody().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 1 << 20})
    void relaysChunksByteIdenticalInOrderHoweverTheBytesAreSplit(int pieceSize) {
        List<String> chunks = List.of(
                contentChunk("c", M, "Hel"),
                contentChunk("c", M, "lo \\u00e9 ☃"),
                "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}],"
                        + "\"x_meta\":{\"usage\":{\"n\":1},\"error\":\"none\"}}",
                stopChunk("c", M));
        byte[] stream = sse(chunks.get(0), chunks.get(1), chunks.get(2), chunks.get(3), usageChunk("c", M, 12, 3), "[DONE]");

        RecordingStreamSink sink = run(Reply.eventStream(split(stream, pieceSize)));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.error()).isNull();
        assertThat(sink.nativeEvents()).extracting(NativeEvent::name).containsOnlyNulls();
        assertThat(sink.nativeEvents()).extracting(e -> e.data().toArray())
                .containsExactlyElementsOf(chunks.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toList());
        assertThat(sink.events()).isEmpty();
        assertThat(sink.observed().observedUsage()).contains(Usage.of(12, 3));
        assertThat(sink.observed().stopReason()).contains(StopReason.END_TURN);
    }

    @Test
    void usageChunkReachesTheClientOnlyWhenItAskedButIsObservedEitherWay() {
        String usage = usageChunk("c", M, 12, 3);
        Reply reply = Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), stopChunk("c", M), usage, "[DONE]")));

        RecordingStreamSink asked = run(reply, Map.of(), streamChat(BODY, true));
        RecordingStreamSink notAsked = run(reply, Map.of(), streamChat(BODY, false));

        assertThat(asked.nativeTexts()).containsExactly(contentChunk("c", M, "a"), stopChunk("c", M), usage);
        assertThat(notAsked.nativeTexts()).containsExactly(contentChunk("c", M, "a"), stopChunk("c", M));
        assertThat(asked.observed().observedUsage()).contains(Usage.of(12, 3));
        assertThat(notAsked.observed().observedUsage()).contains(Usage.of(12, 3));
    }

    @Test
    void readsTheUsageChunksDetailsInSpacedJson() {
        String usage = "{\"id\":\"c\",\"choices\": [],\"usage\": {\"prompt_tokens\": 50, \"completion_tokens\": 20,"
                + " \"prompt_tokens_details\": {\"cached_tokens\": 40}, \"completion_tokens_details\": {\"reasoning_tokens\": 15}}}";

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(stopChunk("c", M), usage, "[DONE]"))),
                Map.of(), streamChat(BODY, true));

        assertThat(sink.nativeTexts()).containsExactly(stopChunk("c", M), usage);
        assertThat(sink.observed().observedUsage()).contains(
                Usage.builder().inputTokens(50).outputTokens(20).cachedInputTokens(40).reasoningTokens(15).build());
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void usageOnTheLastContentChunkIsRelayedWithTheChunk() {
        String last = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}";

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), last, "[DONE]"))));

        assertThat(sink.nativeTexts()).containsExactly(contentChunk("c", M, "a"), last);
        assertThat(sink.observed().observedUsage()).contains(Usage.of(9, 4));
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void usageRepeatedOnEveryChunkIsObservedWithTheLastValue() {
        String a = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}";
        String b = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}";

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(a, b, "[DONE]"))));

        assertThat(sink.nativeTexts()).containsExactly(a, b);
        assertThat(sink.observed().observedUsage()).contains(Usage.of(5, 2));
    }

    @Test
    void streamWithoutUsageLeavesItUnknown() {
        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), stopChunk("c", M), "[DONE]"))));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.observed().observedUsage()).isEmpty();
    }

    @Test
    void doneCompletesAndLaterEventsAreIgnored() {
        RecordingStreamSink sink = run(Reply.eventStream(List.of(
                sse(contentChunk("c", M, "a"), "[DONE]", contentChunk("c", M, "late")))));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.nativeTexts()).containsExactly(contentChunk("c", M, "a"));
    }

    @Test
    void errorPayloadMidStreamEndsItWithTheProvidersMessage() {
        String error = "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}";

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), error, contentChunk("c", M, "b")))));

        assertThat(sink.nativeTexts()).containsExactly(contentChunk("c", M, "a"));
        GatewayException e = sink.error();
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
        assertThat(e.code()).isEqualTo("upstream_stream_error");
        assertThat(e.getMessage()).isEqualTo("The server had an error while processing your request.");
        assertThat(sink.completed()).isFalse();
    }

    @Test
    void errorPayloadNeverCarriesTheKey() {
        String error = "{\"error\":{\"message\":\"bad key " + KEY + "\"}}";

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(error))));

        assertThat(sink.error().getMessage()).isEqualTo("bad key ***");
    }

    @Test
    void resetMidStreamIsPassedOn() {
        GatewayException reset = ScriptedUpstreamHttp.reset();

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a")))).thenFail(reset));

        assertThat(sink.nativeTexts()).containsExactly(contentChunk("c", M, "a"));
        assertThat(sink.error()).isSameAs(reset);
    }

    @Test
    void failureBeforeAnyResponseIsPassedOn() {
        GatewayException timeout = ScriptedUpstreamHttp.timeout(Duration.ofSeconds(600));

        RecordingStreamSink sink = run(Reply.failure(timeout));

        assertThat(sink.error()).isSameAs(timeout);
        assertThat(sink.nativeEvents()).isEmpty();
    }

    @Test
    void endBeforeAnyFinishReasonIsTruncated() {
        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), contentChunk("c", M, "b")))));

        assertThat(sink.nativeEvents()).hasSize(2);
        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
        assertThat(sink.error().status()).isEqualTo(502);
    }

    @Test
    void endAfterAFinishReasonCompletesWithoutDone() {
        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), stopChunk("c", M), usageChunk("c", M, 7, 2)))));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.observed().observedUsage()).contains(Usage.of(7, 2));
        assertThat(sink.nativeEvents()).hasSize(2);
    }

    @Test
    void nullFinishReasonDoesNotCount() {
        String spaced = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"finish_reason\"},\"finish_reason\" : null}]}";

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(spaced))));

        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
    }

    @Test
    void finishReasonCountsAfterContentThatReadsLikeIt() {
        String last = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"finish_reason\"},\"finish_reason\":\"stop\"}]}";

        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), last))));

        assertThat(sink.error()).isNull();
        assertThat(sink.completed()).isTrue();
        assertThat(sink.observed().stopReason()).contains(StopReason.END_TURN);
    }

    @Test
    void errorStatusOnAStreamIsMappedLikeNonStream() {
        Reply reply = Reply.json(429, SseFixtures.openAiError("slow down", "requests", "rate_limit_exceeded"))
                .withHeader("Retry-After", "3");

        RecordingStreamSink sink = run(reply);

        GatewayException e = sink.error();
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(e.getMessage()).isEqualTo("slow down");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(sink.nativeEvents()).isEmpty();
    }

    @Test
    void errorStatusBodySplitAcrossPiecesIsReassembled() {
        byte[] body = SseFixtures.openAiError("This model's maximum context length is 128000 tokens", "invalid_request_error",
                "context_length_exceeded").getBytes(StandardCharsets.UTF_8);

        RecordingStreamSink sink = runRaw(400, split(body, 5), null);

        assertThat(sink.error().status()).isEqualTo(400);
        assertThat(sink.error().type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
        assertThat(sink.error().code()).isEqualTo("context_length_exceeded");
        assertThat(sink.error().getMessage()).isEqualTo("This model's maximum context length is 128000 tokens");
    }

    @Test
    void hugeErrorBodyIsCappedAndStillMapped() {
        byte[] body = ("{\"error\":{\"message\":\"" + "x".repeat(3 << 20) + "\"}}").getBytes(StandardCharsets.UTF_8);

        RecordingStreamSink sink = runRaw(500, split(body, 64 * 1024), null);

        assertThat(sink.error().code()).isEqualTo("upstream_error");
        assertThat(sink.error().getMessage()).isEqualTo("the provider failed (HTTP 500)");
    }

    @Test
    void errorStatusWhoseBodyIsCutOffIsStillMappedByStatus() {
        byte[] body = "{\"error\":{\"message\":\"over".getBytes(StandardCharsets.UTF_8);

        RecordingStreamSink sink = runRaw(503, List.of(body), ScriptedUpstreamHttp.reset());

        assertThat(sink.error().code()).isEqualTo("upstream_error");
        assertThat(sink.error().getMessage()).isEqualTo("the provider failed (HTTP 503)");
    }

    @Test
    void authFailureOnAStreamNeverEchoesTheKey() {
        RecordingStreamSink sink = run(Reply.json(401, SseFixtures.openAiError("Incorrect API key provided: " + KEY,
                "invalid_request_error", "invalid_api_key")));

        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.error().code()).isEqualTo("upstream_auth_failed");
        assertThat(sink.error().getMessage()).doesNotContain(KEY);
    }

    @Test
    void jsonAnswerToAStreamRequestIsMalformed() {
        RecordingStreamSink sink = run(Reply.json(200, SseFixtures.completion("c", M, "hi", 1, 1)));

        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.nativeEvents()).isEmpty();
    }

    @Test
    void htmlAnswerWithStatus200IsMalformed() {
        RecordingStreamSink sink = run(Reply.of(200, Headers.of("Content-Type", "text/html; charset=utf-8"),
                "<html><body><h1>502 Bad Gateway</h1></body></html>".getBytes(StandardCharsets.UTF_8)));

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.nativeEvents()).isEmpty();
    }

    @Test
    void eventStreamWithACharsetIsAccepted() {
        RecordingStreamSink sink = run(Reply.of(200, Headers.of("Content-Type", "text/event-stream; charset=utf-8"),
                sse(stopChunk("c", M), "[DONE]")));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.nativeTexts()).containsExactly(stopChunk("c", M));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "<html><body>Bad Gateway</body></html>", "{\"choices\":[", "[1,2]", "\"text\"",
            "{\"choices\":[]} {}", ""})
    void dataThatIsNotOneJsonObjectIsMalformedAndNeverRelayed(String payload) {
        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), payload, stopChunk("c", M), "[DONE]"))));

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.nativeTexts()).containsExactly(contentChunk("c", M, "a"));
    }

    @Test
    void unparseableUsageChunkIsMalformed() {
        RecordingStreamSink sink = run(Reply.eventStream(List.of(sse("{\"usage\":{\"prompt_tokens\":1", "[DONE]"))));

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 1 << 20})
    void payloadSplitAcrossDataLinesIsRejoinedAndRelayed(int pieceSize) {
        String first = "{\"id\":\"c\",\"choices\":";
        String second = "[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}";
        byte[] stream = ("data: " + first + "\ndata: " + second + "\n\n" + new String(sse(stopChunk("c", M), "[DONE]"),
                StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);

        RecordingStreamSink sink = run(Reply.eventStream(split(stream, pieceSize)));

        assertThat(sink.error()).isNull();
        assertThat(sink.completed()).isTrue();
        assertThat(sink.nativeTexts()).containsExactly(first + "\n" + second, stopChunk("c", M));
    }

    @Test
    void errorEventEndsTheStreamAsTheProvidersError() {
        byte[] stream = (new String(sse(contentChunk("c", M, "a")), StandardCharsets.UTF_8)
                + "event: error\ndata: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n")
                .getBytes(StandardCharsets.UTF_8);

        RecordingStreamSink sink = run(Reply.eventStream(List.of(stream)));

        assertThat(sink.nativeTexts()).containsExactly(contentChunk("c", M, "a"));
        assertThat(sink.error().code()).isEqualTo("upstream_stream_error");
        assertThat(sink.error().getMessage()).isEqualTo("Overloaded");
    }

    @Test
    void errorEventIsAnErrorWhateverItsDataSays() {
        byte[] stream = ("event: error\ndata: {\"detail\":\"try later\"}\n\n" + new String(sse(stopChunk("c", M), "[DONE]"),
                StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);

        RecordingStreamSink sink = run(Reply.eventStream(List.of(stream)));

        assertThat(sink.nativeEvents()).isEmpty();
        assertThat(sink.error().code()).isEqualTo("upstream_stream_error");
        assertThat(sink.error().status()).isEqualTo(502);
    }

    @Test
    void commentsAndKeepAlivesNeverReachTheSink() {
        String c = contentChunk("c", M, "x");
        byte[] stream = (": keep-alive\r\n\r\n: OPENROUTER PROCESSING\n\nid: 7\nretry: 100\n\ndata: " + c
                + "\r\n\r\n:\n\ndata: " + stopChunk("c", M) + "\r\n\r\n: ping\n\ndata: [DONE]\r\n\r\n").getBytes(StandardCharsets.UTF_8);

        List<RecordingStreamSink> sinks = new ArrayList<>();
        for (int size : new int[] {1, 2, stream.length}) {
            sinks.add(run(Reply.eventStream(split(stream, size))));
        }

        for (RecordingStreamSink sink : sinks) {
            assertThat(sink.nativeTexts()).containsExactly(c, stopChunk("c", M));
            assertThat(sink.completed()).isTrue();
        }
    }
}
