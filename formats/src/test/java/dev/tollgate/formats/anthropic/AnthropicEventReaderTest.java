package dev.tollgate.formats.anthropic;

import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.StreamEvent.BlockStart;
import dev.tollgate.spi.chat.StreamEvent.BlockStop;
import dev.tollgate.spi.chat.StreamEvent.MessageEnd;
import dev.tollgate.spi.chat.StreamEvent.MessageStart;
import dev.tollgate.spi.chat.StreamEvent.SignatureDelta;
import dev.tollgate.spi.chat.StreamEvent.TextDelta;
import dev.tollgate.spi.chat.StreamEvent.ThinkingDelta;
import dev.tollgate.spi.chat.StreamEvent.ToolArgumentsDelta;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnthropicEventReaderTest {

    /** The data of each event of a stream with thinking, text and a tool call, as Anthropic documents it. */
    static final List<String> STREAM = List.of(
            """
            {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant",
             "model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,
             "usage":{"input_tokens":472,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":2}}}""",
            "{\"type\":\"ping\"}",
            "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Need the \"}}",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"weather.\"}}",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}",
            "{\"type\":\"content_block_stop\",\"index\":0}",
            "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
            "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Okay, \"}}",
            "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"checking.\"}}",
            "{\"type\":\"content_block_stop\",\"index\":1}",
            "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01T1x\",\"name\":\"get_weather\",\"input\":{}}}",
            "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
            "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"location\\\":\"}}",
            "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\" \\\"SF\\\"}\"}}",
            "{\"type\":\"content_block_stop\",\"index\":2}",
            "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}",
            "{\"type\":\"message_stop\"}");

    static List<StreamEvent> read(List<String> data, Collected warnings) {
        List<StreamEvent> events = new ArrayList<>();
        AnthropicEventReader reader = new AnthropicEventReader(events::add, warnings);
        for (String d : data) {
            byte[] b = utf8(d);
            reader.feed(b, 0, b.length);
        }
        reader.end();
        return events;
    }

    @Test
    void readsThinkingWithItsSignatureTextAndAToolCall() {
        Collected warnings = new Collected();
        Usage start = Usage.builder().inputTokens(2572).outputTokens(2).cachedInputTokens(2000).cacheWriteTokens(100).build();
        assertThat(read(STREAM, warnings)).containsExactly(
                new MessageStart("msg_014p7gG3wDgGV9EUtLvnow3U", "claude-sonnet-4-5", start),
                new BlockStart(0, new ContentBlock.Thinking("", null)),
                new ThinkingDelta(0, "Need the "),
                new ThinkingDelta(0, "weather."),
                new SignatureDelta(0, "EqQBCgIYAhIM"),
                new BlockStop(0),
                new BlockStart(1, ContentBlock.Text.of("")),
                new TextDelta(1, "Okay, "),
                new TextDelta(1, "checking."),
                new BlockStop(1),
                new BlockStart(2, new ContentBlock.ToolUse("toolu_01T1x", "get_weather", "")),
                new ToolArgumentsDelta(2, "{\"location\":"),
                new ToolArgumentsDelta(2, " \"SF\"}"),
                new BlockStop(2),
                new MessageEnd(StopReason.TOOL_USE, null, start.toBuilder().outputTokens(89).build()));
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void letsEachMessageDeltaCounterReplaceTheStartOne() {
        List<StreamEvent> events = read(List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"END\"},"
                        + "\"usage\":{\"input_tokens\":40,\"cache_read_input_tokens\":60,\"output_tokens\":9}}",
                "{\"type\":\"message_stop\"}"), new Collected());
        assertThat(events.get(events.size() - 1)).isEqualTo(new MessageEnd(StopReason.STOP_SEQUENCE, "END",
                Usage.builder().inputTokens(100).outputTokens(9).cachedInputTokens(60).build()));
    }

    @Test
    void givesAToolCallWithoutArgumentsAnEmptyObject() {
        List<StreamEvent> events = read(List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"now\",\"input\":{}}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":3}}",
                "{\"type\":\"message_stop\"}"), new Collected());
        assertThat(events).containsSubsequence(new BlockStart(0, new ContentBlock.ToolUse("t", "now", "")),
                new ToolArgumentsDelta(0, "{}"), new BlockStop(0));
    }

    @Test
    void skipsAServerToolBlockRenumberingTheRestAndReportsIt() {
        Collected warnings = new Collected();
        List<StreamEvent> events = read(List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"s\",\"name\":\"web_search\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Found.\"}}",
                "{\"type\":\"content_block_stop\",\"index\":1}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}",
                "{\"type\":\"message_stop\"}"), warnings);
        assertThat(events).containsSubsequence(new BlockStart(0, ContentBlock.Text.of("")), new TextDelta(0, "Found."),
                new BlockStop(0));
        assertThat(warnings.all).containsExactly("dropped streamed block: server_tool_use");
    }

    @Test
    void detectsATruncatedStreamAndStillTellsItsUsage() {
        AnthropicEventReader reader = new AnthropicEventReader(e -> { }, new Collected());
        for (String d : STREAM.subList(0, 10)) {
            byte[] b = utf8(d);
            reader.feed(b, 0, b.length);
        }
        assertThatThrownBy(reader::end).isInstanceOf(FormatException.class)
                .hasMessage("stream ended before the answer was complete");
        assertThat(reader.usage()).map(Usage::inputTokens).contains(2572L);
    }

    @Test
    void turnsAnErrorEventIntoAFormatException() {
        AnthropicEventReader reader = new AnthropicEventReader(e -> { }, new Collected());
        byte[] b = utf8("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        assertThatThrownBy(() -> reader.feed(b, 0, b.length))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("error");
                    assertThat(e.getMessage()).isEqualTo("upstream error overloaded_error: Overloaded");
                });
    }

    @Test
    void refusesEventsOutOfOrder() {
        AnthropicEventReader reader = new AnthropicEventReader(e -> { }, new Collected());
        byte[] delta = utf8("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}");
        assertThatThrownBy(() -> reader.feed(delta, 0, delta.length)).isInstanceOfSatisfying(FormatException.class,
                e -> assertThat(e.param()).isEqualTo("index"));
        AnthropicEventReader early = new AnthropicEventReader(e -> { }, new Collected());
        byte[] start = utf8("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        assertThatThrownBy(() -> early.feed(start, 0, start.length)).isInstanceOfSatisfying(FormatException.class,
                e -> assertThat(e.getMessage()).contains("before message_start"));
    }

    @Test
    void reportsUnknownEventsAndDeltas() {
        Collected warnings = new Collected();
        List<String> data = new ArrayList<>(STREAM);
        data.add(9, "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"citations_delta\",\"citation\":{}}}");
        data.add(1, "{\"type\":\"future_event\"}");
        read(data, warnings);
        assertThat(warnings.all).containsExactly("unknown event: future_event", "dropped delta: citations_delta");
    }
}
