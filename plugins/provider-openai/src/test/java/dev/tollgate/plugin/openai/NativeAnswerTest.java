package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.SseFixtures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The switch between holding a pass-through answer whole and relaying it as it arrives, on a small hold limit. */
class NativeAnswerTest {

    private static final int LIMIT = 128;
    private static final Headers JSON = Headers.of("Content-Type", "application/json", "openai-processing-ms", "12");
    private static final String SMALL = "{\"choices\":[{\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
    private static final String LARGE = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"" + "x".repeat(200)
            + "\",\"usage\":{\"prompt_tokens\":999}},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":200,\"prompt_tokens_details\":{\"cached_tokens\":8}}}";

    private final RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
    private final NativeAnswer<ChatResponse> answer = new NativeAnswer<>(sink, TestSupport.errors(), false, LIMIT);

    private void deliver(int status, Headers headers, String body, int pieceSize) {
        answer.onHeaders(status, headers);
        feed(body.getBytes(StandardCharsets.UTF_8), pieceSize);
    }

    private void feed(byte[] body, int pieceSize) {
        for (byte[] piece : SseFixtures.split(body, pieceSize)) {
            answer.onBody(ByteBuffer.wrap(piece).asReadOnlyBuffer());
        }
    }

    private RecordingResponseSink<ChatResponse> ended() {
        return sink.awaitEnd(Duration.ofSeconds(1));
    }

    @Test
    void holdsAnAnswerWithinTheLimitAndForwardsItWhole() {
        deliver(200, JSON, SMALL, 5);
        answer.onComplete();

        ended();
        assertThat(SMALL.length()).isLessThanOrEqualTo(LIMIT);
        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        assertThat(sink.relayed()).isFalse();
        assertThat(sink.body().utf8()).isEqualTo(SMALL);
        assertThat(sink.observed().observedUsage()).contains(Usage.of(3, 1));
        assertThat(sink.observed().stopReason()).contains(StopReason.END_TURN);
        assertThat(sink.headers().first("openai-processing-ms")).contains("12");
    }

    @Test
    void anAnswerOfExactlyTheLimitIsHeld() {
        String body = "{\"choices\":[],\"pad\":\"" + "p".repeat(LIMIT - 23) + "\"}";
        assertThat(body.length()).isEqualTo(LIMIT);

        deliver(200, JSON, body, 7);
        answer.onComplete();

        assertThat(ended().kind()).isEqualTo(Kind.NATIVE);
        assertThat(sink.body().utf8()).isEqualTo(body);
    }

    @Test
    void anAnswerOneByteOverTheLimitIsRelayed() {
        String body = "{\"choices\":[],\"pad\":\"" + "p".repeat(LIMIT - 22) + "\"}";
        assertThat(body.length()).isEqualTo(LIMIT + 1);

        deliver(200, JSON, body, 7);
        answer.onComplete();

        assertThat(ended().kind()).isEqualTo(Kind.RELAYED);
        assertThat(sink.body().utf8()).isEqualTo(body);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, LIMIT, LIMIT + 1, 1 << 20})
    void relaysALargerAnswerAsItArrivesWithTheUsageAtItsEnd(int pieceSize) {
        byte[] bytes = LARGE.getBytes(StandardCharsets.UTF_8);
        answer.onHeaders(200, JSON.toBuilder().set("Content-Length", Integer.toString(bytes.length)).build());
        feed(bytes, pieceSize);

        assertThat(sink.relayed()).as("relaying started before the end").isTrue();
        assertThat(sink.kind()).isNull();
        answer.onComplete();

        ended();
        assertThat(sink.kind()).isEqualTo(Kind.RELAYED);
        assertThat(sink.body().toArray()).isEqualTo(bytes);
        assertThat(sink.declaredLength()).isEqualTo(bytes.length);
        assertThat(sink.headers().first("openai-processing-ms")).contains("12");
        assertThat(sink.observed().observedUsage()).contains(
                Usage.builder().inputTokens(11).outputTokens(200).cachedInputTokens(8).build());
    }

    @Test
    void relayingBeginsOnceMoreThanTheLimitHasCome() {
        byte[] bytes = LARGE.getBytes(StandardCharsets.UTF_8);
        answer.onHeaders(200, JSON);

        answer.onBody(ByteBuffer.wrap(bytes, 0, LIMIT));
        assertThat(sink.relayed()).isFalse();
        answer.onBody(ByteBuffer.wrap(bytes, LIMIT, 1));
        assertThat(sink.relayed()).isTrue();
        assertThat(sink.body().toArray()).hasSize(LIMIT + 1);
    }

    @Test
    void relayedAnswerWithoutUsageLeavesItUnknown() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"" + "y".repeat(LIMIT) + "\",\"usage\":{\"prompt_tokens\":5}}}]}";

        deliver(200, JSON, body, 9);
        answer.onComplete();

        assertThat(ended().kind()).isEqualTo(Kind.RELAYED);
        assertThat(sink.observed().observedUsage()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"choices\":[{\"message\":{\"content\":\"cut short inside a string PAD",
        "{\"choices\":[{\"message\":{\"content\":\"the closing brace is missing PAD\"}}]",
        "{\"choices\":[{\"message\":{\"content\":\"a whole body, then something after it PAD\"}}]} {\"more\":1}",
        "{\"data\":[{\"message\":{\"content\":\"an answer without choices at its top level PAD\"}}]}",
        "{\"choices\":[{\"message\":{\"content\":\"one closing bracket too many PAD\"}}]}]",
        "[{\"choices\":[{\"message\":{\"content\":\"an array, not an object PAD\"}}]}]"})
    void brokenRelayedAnswerFailsTheBodyNotTheSink(String template) {
        String body = template.replace("PAD", "p".repeat(LIMIT));

        deliver(200, JSON, body, 10);
        answer.onComplete();

        ended();
        assertThat(sink.relayed()).isTrue();
        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.body().utf8()).isEqualTo(body);
    }

    @Test
    void resetWhileRelayingFailsTheBody() {
        GatewayException reset = ScriptedUpstreamHttp.reset();
        deliver(200, JSON, LARGE.substring(0, LIMIT * 2), 16);

        answer.onError(reset);

        ended();
        assertThat(sink.relayed()).isTrue();
        assertThat(sink.error()).isSameAs(reset);
    }

    @Test
    void resetWhileHoldingFailsTheSink() {
        GatewayException reset = ScriptedUpstreamHttp.reset();
        deliver(200, JSON, SMALL.substring(0, 20), 16);

        answer.onError(reset);

        ended();
        assertThat(sink.relayed()).isFalse();
        assertThat(sink.error()).isSameAs(reset);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "<html><body>oops</body></html>", "{\"id\":\"c\"}", "{\"choices\":[", "[]", ""})
    void malformedHeldAnswerIs502(String body) {
        deliver(200, JSON, body, 4);
        answer.onComplete();

        ended();
        assertThat(sink.relayed()).isFalse();
        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.error().type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void errorStatusIsMappedAndNeverRelayedWhateverItsSize() {
        String body = SseFixtures.openAiError("Rate limit reached " + "z".repeat(LIMIT * 4), "requests", "rate_limit_exceeded");

        deliver(429, JSON.toBuilder().set("Retry-After", "2").build(), body, 13);
        answer.onComplete();

        ended();
        assertThat(sink.relayed()).isFalse();
        assertThat(sink.error().type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(sink.error().retryAfter()).contains(Duration.ofSeconds(2));
        assertThat(sink.error().getMessage()).startsWith("Rate limit reached zzz");
    }

    @Test
    void completionWithoutAResponseIsTruncated() {
        answer.onComplete();

        assertThat(ended().error().code()).isEqualTo("upstream_stream_truncated");
    }

    @Test
    void relayedEmbeddingsNeedData() {
        RecordingResponseSink<EmbeddingsResponse> embeddings = new RecordingResponseSink<>();
        NativeAnswer<EmbeddingsResponse> a = new NativeAnswer<>(embeddings, TestSupport.errors(), true, LIMIT);
        String good = "{\"object\":\"list\",\"data\":[" + "{\"embedding\":[0.1,0.2]},".repeat(8) + "{\"embedding\":[0.3]}],"
                + "\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}";

        a.onHeaders(200, JSON);
        for (byte[] piece : SseFixtures.split(good.getBytes(StandardCharsets.UTF_8), 20)) {
            a.onBody(ByteBuffer.wrap(piece));
        }
        a.onComplete();

        embeddings.awaitEnd(Duration.ofSeconds(1));
        assertThat(embeddings.kind()).isEqualTo(Kind.RELAYED);
        assertThat(embeddings.body().utf8()).isEqualTo(good);
        assertThat(embeddings.observed().observedUsage()).contains(Usage.of(9, 0));

        RecordingResponseSink<EmbeddingsResponse> noData = new RecordingResponseSink<>();
        NativeAnswer<EmbeddingsResponse> b = new NativeAnswer<>(noData, TestSupport.errors(), true, LIMIT);
        b.onHeaders(200, JSON);
        b.onBody(ByteBuffer.wrap(LARGE.getBytes(StandardCharsets.UTF_8)));
        b.onComplete();

        assertThat(noData.awaitEnd(Duration.ofSeconds(1)).kind()).isEqualTo(Kind.FAILED);
        assertThat(noData.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void piecesAfterTheEndAreIgnored() {
        deliver(200, JSON, SMALL, 1 << 20);
        answer.onComplete();
        answer.onBody(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)));
        answer.onComplete();
        answer.onError(ScriptedUpstreamHttp.reset());

        assertThat(ended().kind()).isEqualTo(Kind.NATIVE);
        assertThat(sink.body().utf8()).isEqualTo(SMALL);
        assertThat(sink.error()).isNull();
    }
}
