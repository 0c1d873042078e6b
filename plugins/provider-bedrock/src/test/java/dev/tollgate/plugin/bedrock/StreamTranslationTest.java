package dev.tollgate.plugin.bedrock;

import static dev.tollgate.plugin.bedrock.TestSupport.adapter;
import static dev.tollgate.plugin.bedrock.TestSupport.fixture;
import static dev.tollgate.plugin.bedrock.TestSupport.openAi;
import static dev.tollgate.plugin.bedrock.TestSupport.translated;
import static dev.tollgate.plugin.bedrock.TestSupport.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ConverseStream answers, framed by the test encoder, to canonical events. */
class StreamTranslationTest {

    private static final Headers EVENT_STREAM = Headers.of("content-type", BedrockAdapter.EVENT_STREAM, "x-amzn-RequestId", "rid-7");

    private static ProviderRequest request() {
        return translated(openAi("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
    }

    /** Drives the stream handler directly with the fixture's bytes in the given pieces. */
    private static RecordingStreamSink drive(List<byte[]> pieces, boolean complete) {
        RecordingStreamSink sink = new RecordingStreamSink();
        ConverseStream s = new ConverseStream(sink, request(), 1 << 20, TestSupport.NO_WARNINGS);
        s.onHeaders(200, EVENT_STREAM);
        for (byte[] p : pieces) {
            s.onBody(ByteBuffer.wrap(p).asReadOnlyBuffer());
        }
        if (complete) {
            s.onComplete();
        }
        return sink;
    }

    @Test
    void aTextStreamThroughTheAdapterIsSignedForConverseStreamAndTranslated() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.of(200, EVENT_STREAM, EventStreamFrames.stream(fixture("text.events"))));
        RecordingStreamSink sink = TestSupport.stream(adapter(withKey()), request(), http);

        assertThat(http.onlyRequest().uri().getRawPath()).isEqualTo("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream");
        assertThat(http.onlyRequest().headers().first("accept")).contains("application/vnd.amazon.eventstream");
        assertThat(sink.completed()).as("%s", sink.error()).isTrue();
        assertThat(sink.text()).isEqualTo("Bonjour ! Comment puis-je vous aider aujourd'hui ?");
        List<StreamEvent> events = sink.events();
        assertThat(events.get(0)).isEqualTo(new StreamEvent.MessageStart("rid-7", TestSupport.UPSTREAM_MODEL, null));
        assertThat(events.get(1)).isEqualTo(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
        assertThat(events.get(events.size() - 2)).isEqualTo(new StreamEvent.BlockStop(0));
        assertThat(events.get(events.size() - 1)).isEqualTo(new StreamEvent.MessageEnd(StopReason.END_TURN, null,
                Usage.builder().inputTokens(2025).outputTokens(15).cachedInputTokens(1800).cacheWriteTokens(200).build()));
        assertThat(sink.headers().first("x-amzn-requestid")).contains("rid-7");
    }

    @Test
    void toolCallsSplitAcrossDeltasAndAtEveryByteBoundaryComeOutWhole() {
        byte[] stream = EventStreamFrames.stream(fixture("tool_use.events"));
        for (int cut = 0; cut <= stream.length; cut++) {
            RecordingStreamSink sink = drive(List.of(Arrays.copyOf(stream, cut), Arrays.copyOfRange(stream, cut, stream.length)), true);
            assertThat(sink.completed()).as("cut at %d: %s", cut, sink.error()).isTrue();
            List<ContentBlock.ToolUse> calls = sink.toolCalls();
            assertThat(calls).hasSize(2);
            assertThat(calls.get(0)).isEqualTo(new ContentBlock.ToolUse("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "get_weather",
                    "{\"location\": \"San Francisco, CA\", \"unit\": \"celsius\"}"));
            assertThat(calls.get(1).arguments()).isEqualTo("{\"location\": \"Paris, France\", \"unit\": \"celsius\"}");
            assertThat(sink.text()).isEqualTo("I'll check the weather in both cities.");
            assertThat(((StreamEvent.MessageEnd) sink.events().get(sink.events().size() - 1)).stopReason()).isEqualTo(StopReason.TOOL_USE);
        }
    }

    @Test
    void blocksAreNumberedInTheOrderTheyStartOneOpenAtATime() {
        RecordingStreamSink sink = drive(EventStreamFrames.messages(fixture("tool_use.events")), true);
        List<StreamEvent> starts = sink.events().stream().filter(e -> e instanceof StreamEvent.BlockStart || e instanceof StreamEvent.BlockStop)
                .toList();
        assertThat(starts).extracting(e -> e.getClass().getSimpleName() + (e instanceof StreamEvent.BlockStart b ? b.index()
                : ((StreamEvent.BlockStop) e).index())).containsExactly("BlockStart0", "BlockStop0", "BlockStart1", "BlockStop1",
                        "BlockStart2", "BlockStop2");
    }

    @Test
    void reasoningDeltasAndTheSignatureBecomeAThinkingBlock() {
        RecordingStreamSink sink = drive(EventStreamFrames.messages(fixture("reasoning.events")), true);
        assertThat(sink.events()).contains(new StreamEvent.BlockStart(0, new ContentBlock.Thinking("", null)),
                new StreamEvent.ThinkingDelta(0, "27 * 453: 27 * 400 = 10800,"),
                new StreamEvent.SignatureDelta(0, "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"),
                new StreamEvent.BlockStart(1, ContentBlock.Text.of("")), new StreamEvent.TextDelta(1, "27 * 453 = 12231"));
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void anExceptionMessageMidStreamFailsItWithTheMappedError() {
        RecordingStreamSink sink = drive(EventStreamFrames.messages(fixture("exception_mid_stream.events")), true);
        assertThat(sink.text()).isEqualTo("Bonjour");
        assertThat(sink.completed()).isFalse();
        assertThat(sink.error().status()).isEqualTo(429);
        assertThat(sink.error().getMessage()).contains("Too many tokens");
    }

    @Test
    void anInterruptedStreamIsTruncatedNotComplete() {
        RecordingStreamSink sink = drive(EventStreamFrames.messages(fixture("interrupted.events")), true);
        assertThat(sink.completed()).isFalse();
        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
    }

    @Test
    void aStreamCutInsideAFrameIsTruncated() {
        byte[] stream = EventStreamFrames.stream(fixture("text.events"));
        RecordingStreamSink sink = drive(List.of(Arrays.copyOf(stream, stream.length - 5)), true);
        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
    }

    @Test
    void aCorruptFrameFailsTheStreamLoudlyAsMalformed() {
        byte[] stream = EventStreamFrames.stream(fixture("text.events"));
        stream[stream.length - 30] ^= 0x20;
        RecordingStreamSink sink = drive(List.of(stream), true);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.error().getCause()).hasMessageContaining("CRC");
    }

    @Test
    void anEventBeforeMessageStartIsMalformed() {
        RecordingStreamSink sink = drive(List.of(EventStreamFrames.event("contentBlockDelta",
                "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"x\"}}")), true);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void anHttpErrorBeforeTheStreamIsMappedByItsErrorType() {
        Headers h = Headers.of("content-type", "application/json", "x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/");
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.of(400, h, fixture("error.context_window.json").getBytes()));
        RecordingStreamSink sink = TestSupport.stream(adapter(withKey()), request(), http);
        assertThat(sink.error().status()).isEqualTo(400);
        assertThat(sink.error().code()).isEqualTo("context_length_exceeded");
        assertThat(sink.events()).isEmpty();
    }
}
