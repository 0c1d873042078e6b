package dev.tollgate.plugin.anthropic;

import static dev.tollgate.plugin.anthropic.TestSupport.KEY;
import static dev.tollgate.plugin.anthropic.TestSupport.UPSTREAM_MODEL;
import static dev.tollgate.plugin.anthropic.TestSupport.adapter;
import static dev.tollgate.plugin.anthropic.TestSupport.fixture;
import static dev.tollgate.plugin.anthropic.TestSupport.passThrough;
import static dev.tollgate.plugin.anthropic.TestSupport.sseData;
import static dev.tollgate.plugin.anthropic.TestSupport.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.RecordingStreamSink.NativeEvent;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Anthropic clients: the body goes upstream with only its model changed, answers and events come back byte for byte. */
class PassThroughTest {

    private static final String BODY = fixture("native.request.json");
    private static final Usage CACHED = Usage.builder().inputTokens(2025).cachedInputTokens(1800).cacheWriteTokens(200)
            .outputTokens(15).build();

    @Test
    void sendsTheClientsBytesWithOnlyTheModelReplaced() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        TestSupport.answer(adapter(), passThrough(BODY, false, Headers.EMPTY), http);

        String sent = http.onlyRequest().body().utf8();
        assertThat(sent).isEqualTo(BODY.replaceFirst("\"model\": \"claude-sonnet\"", "\"model\": \"" + UPSTREAM_MODEL + "\""));
        assertThat(sent).contains("\"cache_control\": {\"type\": \"ephemeral\", \"ttl\": \"1h\"}")
                .contains("\"signature\": \"EqQBCgIYAhIMsig0001\"")
                .contains("\"future_field\": {\"kept\": [1, 2.50, \"as written\"]}");
    }

    @Test
    void sendsTheClientsBodyItselfWhenTheModelIsTheDeployments() {
        String body = BODY.replaceFirst("\"model\": \"claude-sonnet\"", "\"model\": \"" + UPSTREAM_MODEL + "\"");
        ProviderRequest request = TestSupport.passThrough(body, false, Headers.EMPTY);
        ProviderRequest same = ProviderRequest.builder("req-42", request.facts(), request::canonical)
                .model(UPSTREAM_MODEL).deployment("d#0", UPSTREAM_MODEL).nativeBody(request.nativeBody().orElseThrow()).build();
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        TestSupport.answer(adapter(), same, http);

        assertThat(http.onlyRequest().body()).isSameAs(same.nativeBody().orElseThrow());
    }

    @Test
    void postsToMessagesWithTheKeyTheVersionAndTheMergedBetas() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        Headers client = Headers.of("anthropic-version", "2023-06-01", "anthropic-beta", "interleaved-thinking-2025-05-14, files-api-2025-04-14");
        TestSupport.answer(adapter(withKey("anthropic_beta", List.of("context-1m-2025-08-07", "files-api-2025-04-14"),
                "api_base", "https://anthropic.internal.example/")), passThrough(BODY, false, client), http);

        UpstreamRequest r = http.onlyRequest();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.uri()).hasToString("https://anthropic.internal.example/v1/messages");
        assertThat(r.headers().first("x-api-key")).contains(KEY);
        assertThat(r.headers().first("anthropic-version")).contains("2023-06-01");
        assertThat(r.headers().all("anthropic-beta"))
                .containsExactly("context-1m-2025-08-07,files-api-2025-04-14,interleaved-thinking-2025-05-14");
        assertThat(r.headers().first("content-type")).contains("application/json");
        assertThat(r.headers().first("authorization")).isEmpty();
    }

    @Test
    void relaysTheAnswerByteForByteAndObservesCachedUsage() {
        String answer = fixture("text.response.json");
        RecordingResponseSink<?> sink = TestSupport.answer(adapter(), passThrough(BODY, false, Headers.EMPTY),
                ScriptedUpstreamHttp.always(Reply.json(200, answer).withHeader("request-id", "req_018EeWyXxfu5pfWkrYcMdjWG")));

        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        assertThat(sink.body().utf8()).isEqualTo(answer);
        assertThat(sink.observed().observedUsage()).contains(CACHED);
        assertThat(sink.observed().stopReason()).contains(StopReason.END_TURN);
        assertThat(sink.headers().first("request-id")).contains("req_018EeWyXxfu5pfWkrYcMdjWG");
    }

    @Test
    void anAnswerThatIsNotAMessageIsMalformed() {
        RecordingResponseSink<?> sink = TestSupport.answer(adapter(), passThrough(BODY, false, Headers.EMPTY),
                ScriptedUpstreamHttp.always(Reply.json(200, "<html>Bad gateway</html>")));

        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 1 << 20})
    void relaysEveryEventButPingsByteIdenticalWithItsNameHoweverTheBytesAreSplit(int pieceSize) {
        String sse = fixture("text.stream.sse");
        RecordingStreamSink sink = TestSupport.stream(adapter(), passThrough(BODY, true, Headers.EMPTY),
                ScriptedUpstreamHttp.always(Reply.eventStream(TestSupport.split(sse, pieceSize))));

        assertThat(sink.error()).isNull();
        assertThat(sink.completed()).isTrue();
        assertThat(sink.events()).isEmpty();
        List<String> expected = sseData(sse).stream().filter(d -> !d.contains("\"ping\"")).toList();
        assertThat(sink.nativeEvents()).extracting(NativeEvent::text).containsExactlyElementsOf(expected);
        assertThat(sink.nativeEvents()).extracting(NativeEvent::name).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                "message_stop");
        assertThat(sink.observed().observedUsage()).contains(CACHED);
        assertThat(sink.observed().stopReason()).contains(StopReason.END_TURN);
    }

    @Test
    void observesUsageFromMessageStartBeforeTheEndSoACutStreamIsStillAccounted() {
        String sse = fixture("text.stream.sse");
        String firstTwo = sse.substring(0, sse.indexOf("event: ping"));
        RecordingStreamSink sink = TestSupport.stream(adapter(), passThrough(BODY, true, Headers.EMPTY),
                ScriptedUpstreamHttp.always(Reply.eventStream(List.of(firstTwo.getBytes(StandardCharsets.UTF_8)))));

        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
        assertThat(sink.nativeEvents()).hasSize(2);
        assertThat(sink.observed().observedUsage()).contains(Usage.builder().inputTokens(2025).cachedInputTokens(1800)
                .cacheWriteTokens(200).outputTokens(1).build());
    }

    @Test
    void aMidStreamErrorEventEndsTheRelayedStreamAsTheProvidersError() {
        RecordingStreamSink sink = TestSupport.stream(adapter(), passThrough(BODY, true, Headers.EMPTY),
                ScriptedUpstreamHttp.always(Reply.eventStream(TestSupport.split(fixture("error_mid_stream.sse"), 5))));

        assertThat(sink.nativeEvents()).hasSize(3);
        assertThat(sink.completed()).isFalse();
        assertThat(sink.error().status()).isEqualTo(503);
        assertThat(sink.error().code()).isEqualTo("upstream_overloaded");
        assertThat(sink.error().getMessage()).isEqualTo("Overloaded");
    }
}
