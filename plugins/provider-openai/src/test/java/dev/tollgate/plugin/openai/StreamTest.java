package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.streamChat;
import static dev.tollgate.spi.testkit.SseFixtures.contentChunk;
import static dev.tollgate.spi.testkit.SseFixtures.sse;
import static dev.tollgate.spi.testkit.SseFixtures.split;
import static dev.tollgate.spi.testkit.SseFixtures.stopChunk;
import static dev.tollgate.spi.testkit.SseFixtures.usageChunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.Usage;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingChunkSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String M = "gpt-4o-2024-08-06";

    private ScriptedUpstreamHttp http;

    private RecordingChunkSink run(Reply reply) {
        return run(reply, Map.of("api_key", KEY), streamChat(BODY));
    }

    private RecordingChunkSink run(Reply reply, Map<String, ?> config, ChatRequest request) {
        http = ScriptedUpstreamHttp.always(reply);
        RecordingChunkSink sink = new RecordingChunkSink();
        OpenAiAdapter adapter = adapter(config);
        try (FakeProviderCall call = new FakeProviderCall("req-42", http)) {
            call.runOnCallThread(() -> adapter.streamChat(request, call, sink));
            return sink.awaitEnd(Duration.ofSeconds(5));
        }
    }

    @Test
    void streamRequestAsksForEventsAndUsage() {
        run(Reply.eventStream(List.of(sse(stopChunk("c", M), "[DONE]"))));

        UpstreamRequest r = http.onlyRequest();
        assertThat(r.uri()).hasToString("https://api.openai.com/v1/chat/completions");
        assertThat(r.headers().first("Accept")).contains("text/event-stream");
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("X-Request-Id")).contains("req-42");
        assertThat(r.body().utf8()).isEqualTo("{\"model\":\"" + M + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void includeUsageFalseNeitherAddsNorKeepsStreamOptions() {
        String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}";
        run(Reply.eventStream(List.of(sse(stopChunk("c", M), "[DONE]"))),
                Map.of("include_usage", false), TestSupport.chat("gpt-4o", "gpt-4o", true, body));

        assertThat(http.onlyRequest().body().utf8()).isEqualTo("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}");
    }

    @Test
    void includeUsageFalseWithMatchingModelSendsTheClientBytes() {
        ChatRequest request = TestSupport.chat("gpt-4o", "gpt-4o", true, BODY);
        run(Reply.eventStream(List.of(sse(stopChunk("c", M), "[DONE]"))), Map.of("include_usage", "false"), request);

        assertThat(http.onlyRequest().body()).isSameAs(request.body());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 1 << 20})
    void chunksForwardedByteIdenticalInOrderHoweverTheBytesAreSplit(int pieceSize) {
        List<String> chunks = List.of(
                contentChunk("c", M, "Hel"),
                contentChunk("c", M, "lo \\u00e9 ☃"),
                "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}],"
                        + "\"x_meta\":{\"usage\":{\"n\":1},\"error\":\"none\"}}",
                stopChunk("c", M));
        String usage = usageChunk("c", M, 12, 3);
        byte[] stream = sse(chunks.get(0), chunks.get(1), chunks.get(2), chunks.get(3), usage, "[DONE]");

        RecordingChunkSink sink = run(Reply.eventStream(split(stream, pieceSize)));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.error()).isNull();
        assertThat(sink.chunkTexts()).containsExactlyElementsOf(chunks);
        assertThat(sink.usage()).isEqualTo(Usage.of(12, 3));
        assertThat(sink.usageChunk().toArray()).isEqualTo(usage.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void crlfFramingAndCommentsAreHandled() {
        String c = contentChunk("c", M, "x");
        byte[] stream = (": keep-alive\r\n\r\ndata: " + c + "\r\n\r\ndata: " + stopChunk("c", M) + "\r\n\r\ndata: [DONE]\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);

        RecordingChunkSink sink = run(Reply.eventStream(split(stream, 2)));

        assertThat(sink.chunkTexts()).containsExactly(c, stopChunk("c", M));
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void usageChunkWithDetailsAndSpacedJson() {
        String usage = "{\"id\":\"c\",\"choices\": [],\"usage\": {\"prompt_tokens\": 50, \"completion_tokens\": 20,"
                + " \"prompt_tokens_details\": {\"cached_tokens\": 40}, \"completion_tokens_details\": {\"reasoning_tokens\": 15}}}";

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(stopChunk("c", M), usage, "[DONE]"))));

        assertThat(sink.chunkTexts()).containsExactly(stopChunk("c", M));
        assertThat(sink.usage()).isEqualTo(new Usage(50, 20, 40, 0, 15));
        assertThat(sink.usageChunk().utf8()).isEqualTo(usage);
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void usageOnTheLastContentChunkIsForwardedAsAChunk() {
        String last = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}";

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), last, "[DONE]"))));

        assertThat(sink.chunkTexts()).containsExactly(contentChunk("c", M, "a"), last);
        assertThat(sink.usage()).isEqualTo(Usage.of(9, 4));
        assertThat(sink.usageChunk()).isNull();
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void usageRepeatedOnEveryChunkIsReportedOnceWithTheLastValue() {
        String a = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}";
        String b = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}";

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(a, b, "[DONE]"))));

        assertThat(sink.chunkTexts()).containsExactly(a, b);
        assertThat(sink.usage()).isEqualTo(Usage.of(5, 2));
    }

    @Test
    void doneCompletesAndLaterEventsAreIgnored() {
        RecordingChunkSink sink = run(Reply.eventStream(List.of(
                sse(contentChunk("c", M, "a"), "[DONE]", contentChunk("c", M, "late")))));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.chunkTexts()).containsExactly(contentChunk("c", M, "a"));
    }

    @Test
    void errorEventMidStream() {
        String error = "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}";

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), error, contentChunk("c", M, "b")))));

        assertThat(sink.chunkTexts()).containsExactly(contentChunk("c", M, "a"));
        GatewayException e = sink.error();
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
        assertThat(e.code()).isEqualTo("upstream_stream_error");
        assertThat(e.getMessage()).isEqualTo("The server had an error while processing your request.");
        assertThat(sink.completed()).isFalse();
    }

    @Test
    void errorEventNeverCarriesTheKey() {
        String error = "{\"error\":{\"message\":\"bad key " + KEY + "\"}}";

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(error))));

        assertThat(sink.error().getMessage()).isEqualTo("bad key ***");
    }

    @Test
    void resetMidStreamIsPassedOn() {
        GatewayException reset = ScriptedUpstreamHttp.reset();

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a")))).thenFail(reset));

        assertThat(sink.chunkTexts()).containsExactly(contentChunk("c", M, "a"));
        assertThat(sink.error()).isSameAs(reset);
    }

    @Test
    void failureBeforeAnyResponseIsPassedOn() {
        GatewayException timeout = ScriptedUpstreamHttp.timeout(Duration.ofSeconds(600));

        RecordingChunkSink sink = run(Reply.failure(timeout));

        assertThat(sink.error()).isSameAs(timeout);
        assertThat(sink.chunks()).isEmpty();
    }

    @Test
    void truncatedBeforeAnyFinishReasonIsAnError() {
        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), contentChunk("c", M, "b")))));

        assertThat(sink.chunks()).hasSize(2);
        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
        assertThat(sink.error().status()).isEqualTo(502);
    }

    @Test
    void missingDoneAfterAFinishReasonStillCompletes() {
        String usage = usageChunk("c", M, 7, 2);

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(contentChunk("c", M, "a"), stopChunk("c", M), usage))));

        assertThat(sink.completed()).isTrue();
        assertThat(sink.usage()).isEqualTo(Usage.of(7, 2));
        assertThat(sink.chunks()).hasSize(2);
    }

    @Test
    void nullFinishReasonDoesNotCount() {
        String spaced = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"finish_reason\"},\"finish_reason\" : null}]}";

        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse(spaced))));

        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
    }

    @Test
    void errorStatusOnAStreamIsMappedLikeNonStream() {
        Reply reply = Reply.json(429, SseFixtures.openAiError("slow down", "requests", "rate_limit_exceeded"))
                .withHeader("Retry-After", "3");

        RecordingChunkSink sink = run(reply);

        GatewayException e = sink.error();
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(e.getMessage()).isEqualTo("slow down");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(sink.chunks()).isEmpty();
    }

    @Test
    void errorStatusBodySplitAcrossPiecesIsReassembled() {
        byte[] body = SseFixtures.openAiError("This model's maximum context length is 128000 tokens", "invalid_request_error",
                "context_length_exceeded").getBytes(StandardCharsets.UTF_8);

        RecordingChunkSink sink = runRaw(400, split(body, 5), null);

        assertThat(sink.error().status()).isEqualTo(400);
        assertThat(sink.error().type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
        assertThat(sink.error().code()).isEqualTo("context_length_exceeded");
        assertThat(sink.error().getMessage()).isEqualTo("This model's maximum context length is 128000 tokens");
    }

    @Test
    void hugeErrorBodyIsCappedAndStillMapped() {
        byte[] body = ("{\"error\":{\"message\":\"" + "x".repeat(3 << 20) + "\"}}").getBytes(StandardCharsets.UTF_8);

        RecordingChunkSink sink = runRaw(500, split(body, 64 * 1024), null);

        assertThat(sink.error().code()).isEqualTo("upstream_error");
        assertThat(sink.error().getMessage()).isEqualTo("the provider failed (HTTP 500)");
    }

    @Test
    void errorStatusWhoseBodyIsCutOffIsStillMappedByStatus() {
        byte[] body = "{\"error\":{\"message\":\"over".getBytes(StandardCharsets.UTF_8);

        RecordingChunkSink sink = runRaw(503, List.of(body), ScriptedUpstreamHttp.reset());

        assertThat(sink.error().code()).isEqualTo("upstream_error");
        assertThat(sink.error().getMessage()).isEqualTo("the provider failed (HTTP 503)");
    }

    /** Delivers a response of any status in the given pieces, then completes or fails. */
    private RecordingChunkSink runRaw(int status, List<byte[]> pieces, GatewayException failure) {
        UpstreamHttp raw = new UpstreamHttp() {
            @Override
            public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void stream(UpstreamRequest request, ResponseHandler handler) {
                handler.onHeaders(status, Headers.of("Content-Type", "application/json"));
                pieces.forEach(p -> handler.onBody(ByteBuffer.wrap(p)));
                if (failure == null) {
                    handler.onComplete();
                } else {
                    handler.onError(failure);
                }
            }
        };
        RecordingChunkSink sink = new RecordingChunkSink();
        OpenAiAdapter adapter = adapter(Map.of());
        try (FakeProviderCall call = new FakeProviderCall("req-42", raw)) {
            call.runOnCallThread(() -> adapter.streamChat(streamChat(BODY), call, sink));
            return sink.awaitEnd(Duration.ofSeconds(5));
        }
    }

    @Test
    void authFailureOnAStream() {
        RecordingChunkSink sink = run(Reply.json(401, SseFixtures.openAiError("Incorrect API key provided: " + KEY,
                "invalid_request_error", "invalid_api_key")));

        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.error().code()).isEqualTo("upstream_auth_failed");
        assertThat(sink.error().getMessage()).doesNotContain(KEY);
    }

    @Test
    void jsonAnswerToAStreamRequestIsMalformed() {
        RecordingChunkSink sink = run(Reply.json(200, SseFixtures.completion("c", M, "hi", 1, 1)));

        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.chunks()).isEmpty();
    }

    @Test
    void unparseableUsageChunkIsMalformed() {
        RecordingChunkSink sink = run(Reply.eventStream(List.of(sse("{\"usage\":{\"prompt_tokens\":1", "[DONE]"))));

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }
}
