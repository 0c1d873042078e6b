package dev.tollgate.plugin.anthropic;

import static dev.tollgate.plugin.anthropic.TestSupport.NO_WARNINGS;
import static dev.tollgate.plugin.anthropic.TestSupport.adapter;
import static dev.tollgate.plugin.anthropic.TestSupport.fixture;
import static dev.tollgate.plugin.anthropic.TestSupport.openAi;
import static dev.tollgate.plugin.anthropic.TestSupport.split;
import static dev.tollgate.plugin.anthropic.TestSupport.translated;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.formats.openai.OpenAiChunkWriter;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Anthropic's streamed events as canonical events, and as the kernel then renders them for an OpenAI client. */
class StreamTranslationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"claude-sonnet\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static RecordingStreamSink run(Reply reply) {
        return TestSupport.stream(adapter(), translated(openAi(CHAT)), ScriptedUpstreamHttp.always(reply));
    }

    private static RecordingStreamSink run(String sse, int pieceSize) {
        return run(Reply.eventStream(split(sse, pieceSize)));
    }

    /** The OpenAI chunks the kernel writes for {@code events}. */
    private static List<JsonNode> asOpenAi(List<StreamEvent> events) throws IOException {
        List<byte[]> out = new ArrayList<>();
        OpenAiChunkWriter writer = new OpenAiChunkWriter("claude-sonnet", 1_700_000_000L, true, out::add, NO_WARNINGS);
        events.forEach(writer::write);
        List<JsonNode> chunks = new ArrayList<>();
        for (byte[] b : out) {
            chunks.add(JSON.readTree(b));
        }
        return chunks;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 1 << 20})
    void textDeltasAndCachedUsageHoweverTheBytesAreSplit(int pieceSize) {
        RecordingStreamSink sink = run(fixture("text.stream.sse"), pieceSize);

        assertThat(sink.error()).isNull();
        assertThat(sink.completed()).isTrue();
        assertThat(sink.text()).isEqualTo("Bonjour ! Comment puis-je vous aider aujourd'hui ?");
        assertThat(sink.usage()).isEqualTo(Usage.builder().inputTokens(2025).cachedInputTokens(1800).cacheWriteTokens(200)
                .outputTokens(15).build());
        assertThat(sink.events().getLast()).isInstanceOfSatisfying(StreamEvent.MessageEnd.class,
                e -> assertThat(e.stopReason()).isEqualTo(StopReason.END_TURN));
        assertThat(sink.nativeEvents()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 1 << 20})
    void toolArgumentsSplitAcrossManyDeltasReassembleIntoOpenAiToolCallDeltas(int pieceSize) throws IOException {
        RecordingStreamSink sink = run(fixture("tool_use.stream.sse"), pieceSize);

        assertThat(sink.error()).isNull();
        assertThat(sink.toolCalls()).containsExactly(
                new ContentBlock.ToolUse("toolu_01A09q90qw90lq917835lq9", "get_weather",
                        "{\"location\": \"San Francisco, CA\", \"unit\": \"celsius\"}"),
                new ContentBlock.ToolUse("toolu_01B18r81rx81mr826724mr8", "get_weather",
                        "{\"location\": \"Paris, France\", \"unit\": \"celsius\"}"));
        assertThat(sink.events()).filteredOn(e -> e instanceof StreamEvent.ToolArgumentsDelta d && d.index() == 1).hasSize(3);

        List<JsonNode> chunks = asOpenAi(sink.events());
        StringBuilder first = new StringBuilder();
        StringBuilder second = new StringBuilder();
        String finish = null;
        for (JsonNode c : chunks) {
            JsonNode choice = c.path("choices").path(0);
            for (JsonNode call : choice.path("delta").path("tool_calls")) {
                (call.path("index").asInt() == 0 ? first : second).append(call.path("function").path("arguments").asText());
            }
            if (choice.path("finish_reason").isTextual()) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertThat(JSON.readTree(first.toString())).isEqualTo(JSON.readTree("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"));
        assertThat(JSON.readTree(second.toString())).isEqualTo(JSON.readTree("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"));
        assertThat(finish).isEqualTo("tool_calls");
        assertThat(chunks.getLast().path("usage").path("completion_tokens").asLong()).isEqualTo(118);
    }

    @Test
    void thinkingDeltasAndTheSignatureReachTheCanonicalStream() {
        RecordingStreamSink sink = run(fixture("thinking.stream.sse"), 9);

        assertThat(sink.error()).isNull();
        StringBuilder thinking = new StringBuilder();
        StringBuilder signature = new StringBuilder();
        for (StreamEvent e : sink.events()) {
            if (e instanceof StreamEvent.ThinkingDelta d) {
                thinking.append(d.thinking());
            } else if (e instanceof StreamEvent.SignatureDelta d) {
                signature.append(d.signature());
            }
        }
        assertThat(thinking.toString()).isEqualTo("The user asks for 27 * 453. 27 * 453 = 27 * 400 + 27 * 53 = 10800 + 1431 = 12231.");
        assertThat(signature.toString()).startsWith("EqQBCgIYAhIM1gbcDa9GJwZA2b3h").endsWith("GHwSIg0ZZrQ5iIZfE/dQxKMI");
        assertThat(sink.text()).isEqualTo("27 × 453 = 12,231.");
    }

    @Test
    void aMidStreamErrorEventEndsTheStreamWithTheMappedErrorAfterWhatCameBefore() {
        RecordingStreamSink sink = run(fixture("error_mid_stream.sse"), 11);

        assertThat(sink.text()).isEqualTo("Once upon");
        assertThat(sink.completed()).isFalse();
        assertThat(sink.error().status()).isEqualTo(503);
        assertThat(sink.error().code()).isEqualTo("upstream_overloaded");
        assertThat(sink.error().retryable()).isTrue();
    }

    @Test
    void anErrorAsTheFirstEventFailsBeforeAnythingIsCommitted() {
        RecordingStreamSink sink = run("event: error\ndata: " + fixture("error.rate_limit_error.json") + "\n", 1 << 20);

        assertThat(sink.events()).isEmpty();
        assertThat(sink.error().status()).isEqualTo(429);
        assertThat(sink.error().getMessage()).contains("50 requests per minute");
    }

    @Test
    void anUpstreamThatClosesMidStreamIsTruncated() {
        String sse = fixture("tool_use.stream.sse");
        RecordingStreamSink sink = run(sse.substring(0, sse.indexOf("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}")), 64);

        assertThat(sink.completed()).isFalse();
        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
        assertThat(sink.toolCalls()).hasSize(0);
        assertThat(sink.events().getFirst()).as("the input usage of message_start reached the kernel, for accounting")
                .isInstanceOfSatisfying(StreamEvent.MessageStart.class, s -> assertThat(s.usage().inputTokens()).isEqualTo(472));
    }

    @Test
    void aResetMidStreamEndsWithTheTransportError() {
        String sse = fixture("text.stream.sse");
        RecordingStreamSink sink = run(Reply.eventStream(split(sse.substring(0, sse.indexOf("event: content_block_stop")), 50))
                .thenFail(ScriptedUpstreamHttp.reset()));

        assertThat(sink.text()).isEqualTo("Bonjour ! Comment puis-je vous aider aujourd'hui ?");
        assertThat(sink.error().code()).isEqualTo("upstream_reset");
    }

    @Test
    void garbageInsteadOfEventsIsMalformed() {
        RecordingStreamSink sink = run("data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{}}}\n\n"
                + "data: <html>oops</html>\n\n", 8);

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void eventsBeforeMessageStartAreMalformed() {
        RecordingStreamSink sink = run("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n", 1 << 20);

        assertThat(sink.events()).isEmpty();
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void aHugeEventLineIsRefusedAtTheBoundWithoutBeingBufferedWhole() {
        byte[] start = "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"x\"}}\n\ndata: \"".getBytes(StandardCharsets.UTF_8);
        byte[] piece = new byte[64 * 1024];
        java.util.Arrays.fill(piece, (byte) 'a');
        List<byte[]> pieces = new ArrayList<>();
        pieces.add(start);
        for (int i = 0; i < EventStream.MAX_EVENT_BYTES / piece.length + 4; i++) {
            pieces.add(piece);
        }
        RecordingStreamSink sink = run(Reply.eventStream(pieces));

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
        assertThat(sink.completed()).isFalse();
    }

    @Test
    void anHtmlAnswerWithStatus200IsMalformed() {
        RecordingStreamSink sink = run(Reply.of(200, Headers.of("Content-Type", "text/html"), "<html></html>".getBytes(StandardCharsets.UTF_8)));

        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void anErrorStatusIsMappedFromItsBody() {
        RecordingStreamSink sink = run(Reply.json(529, fixture("error.overloaded_error.json")));

        assertThat(sink.events()).isEmpty();
        assertThat(sink.error().status()).isEqualTo(503);
        assertThat(sink.error().code()).isEqualTo("upstream_overloaded");
    }
}
