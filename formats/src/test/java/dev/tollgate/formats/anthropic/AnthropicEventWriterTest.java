package dev.tollgate.formats.anthropic;

import static dev.tollgate.formats.TestJson.assertJsonEquals;
import static dev.tollgate.formats.TestJson.text;
import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.formats.openai.OpenAiChunkReader;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnthropicEventWriterTest {

    /** Usage as an OpenAI upstream reports it: only at the end, cache reads inside the prompt count. */
    static final Usage END_USAGE = Usage.builder().inputTokens(1500).outputTokens(120).cachedInputTokens(1200)
            .cacheWriteTokens(100).reasoningTokens(30).build();

    static List<StreamEvent> stream(Usage startUsage) {
        return List.of(
                new MessageStart("chatcmpl-9", "gpt-4o", startUsage),
                new BlockStart(0, new dev.tollgate.spi.chat.ContentBlock.Thinking("", null)),
                new ThinkingDelta(0, "Two lookups."),
                new SignatureDelta(0, "sig-part-1."),
                new SignatureDelta(0, "sig-part-2."),
                new SignatureDelta(0, "sig-part-3"),
                new BlockStop(0),
                new BlockStart(1, dev.tollgate.spi.chat.ContentBlock.Text.of("")),
                new TextDelta(1, "On "),
                new TextDelta(1, "it."),
                new BlockStop(1),
                new BlockStart(2, new dev.tollgate.spi.chat.ContentBlock.ToolUse("call_a", "weather", "")),
                new ToolArgumentsDelta(2, "{\"city\""),
                new ToolArgumentsDelta(2, ":\"Oslo\"}"),
                new BlockStop(2),
                new BlockStart(3, new dev.tollgate.spi.chat.ContentBlock.ToolUse("call_b", "time", "")),
                new ToolArgumentsDelta(3, "{}"),
                new BlockStop(3),
                new MessageEnd(StopReason.TOOL_USE, null, END_USAGE));
    }

    record Named(String event, String data) {}

    static List<Named> write(List<StreamEvent> events, Collected warnings) {
        List<Named> out = new ArrayList<>();
        AnthropicEventWriter w = new AnthropicEventWriter("claude-client", (name, data) -> out.add(new Named(name, text(data))),
                warnings);
        events.forEach(w::write);
        return out;
    }

    @Test
    void writesTheEventsInAnthropicsOrder() {
        Collected warnings = new Collected();
        List<Named> out = write(stream(null), warnings);
        assertThat(out).extracting(Named::event).containsExactly(
                "message_start",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertJsonEquals(out.get(0).data(), """
                {"type":"message_start","message":{"id":"chatcmpl-9","type":"message","role":"assistant","model":"claude-client",
                 "content":[],"stop_reason":null,"stop_sequence":null,
                 "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}""");
        assertJsonEquals(out.get(1).data(), """
                {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}""");
        assertJsonEquals(out.get(3).data(), """
                {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig-part-1.sig-part-2.sig-part-3"}}""");
        assertJsonEquals(out.get(9).data(), """
                {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_a","name":"weather","input":{}}}""");
        assertJsonEquals(out.get(10).data(), """
                {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\""}}""");
        assertJsonEquals(out.get(16).data(), """
                {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
                 "usage":{"input_tokens":200,"cache_creation_input_tokens":100,"cache_read_input_tokens":1200,"output_tokens":120}}""");
        assertJsonEquals(out.get(17).data(), "{\"type\":\"message_stop\"}");
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void theOfficialSdkAccumulatesUsageKnownOnlyAtTheEnd() throws Exception {
        Message m = accumulate(write(stream(null), new Collected()));
        assertThat(m.usage().inputTokens()).isEqualTo(200);
        assertThat(m.usage().cacheReadInputTokens()).contains(1200L);
        assertThat(m.usage().cacheCreationInputTokens()).contains(100L);
        assertThat(m.usage().outputTokens()).isEqualTo(120);
        assertAnswer(m);
    }

    @Test
    void theOfficialSdkAccumulatesUsageReportedAtTheStartAndTheEnd() throws Exception {
        Usage start = Usage.builder().inputTokens(1500).outputTokens(1).cachedInputTokens(1200).cacheWriteTokens(100).build();
        Message m = accumulate(write(stream(start), new Collected()));
        assertThat(m.usage().inputTokens()).isEqualTo(200);
        assertThat(m.usage().cacheReadInputTokens()).contains(1200L);
        assertThat(m.usage().cacheCreationInputTokens()).contains(100L);
        assertThat(m.usage().outputTokens()).isEqualTo(120);
        assertAnswer(m);
    }

    private static void assertAnswer(Message m) {
        assertThat(m.id()).isEqualTo("chatcmpl-9");
        assertThat(m.model().asString()).isEqualTo("claude-client");
        assertThat(m.stopReason()).contains(com.anthropic.models.messages.StopReason.TOOL_USE);
        List<ContentBlock> content = m.content();
        assertThat(content).hasSize(4);
        assertThat(content.get(0).asThinking().thinking()).isEqualTo("Two lookups.");
        assertThat(content.get(0).asThinking().signature()).isEqualTo("sig-part-1.sig-part-2.sig-part-3");
        assertThat(content.get(1).asText().text()).isEqualTo("On it.");
        assertThat(content.get(2).asToolUse().id()).isEqualTo("call_a");
        assertThat(content.get(2).asToolUse().name()).isEqualTo("weather");
        assertThat(content.get(2).asToolUse()._input().convert(Map.class)).isEqualTo(Map.of("city", "Oslo"));
        assertThat(content.get(3).asToolUse().id()).isEqualTo("call_b");
        assertThat(content.get(3).asToolUse()._input().convert(Map.class)).isEqualTo(Map.of());
    }

    static Message accumulate(List<Named> events) throws Exception {
        MessageAccumulator acc = MessageAccumulator.create();
        for (Named e : events) {
            RawMessageStreamEvent event = ObjectMappers.jsonMapper().readValue(e.data(), RawMessageStreamEvent.class);
            event.validate();
            acc.accumulate(event);
        }
        return acc.message();
    }

    @Test
    void anOpenAiUpstreamStreamReachesAnAnthropicClientWhole() throws Exception {
        List<String> chunks = List.of(
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sure\"},\"finish_reason\":null}]}",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_x\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"n\\\":\"}}]},\"finish_reason\":null}]}",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"2}\"}}]},\"finish_reason\":null}]}",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":900,\"completion_tokens\":33,\"total_tokens\":933,\"prompt_tokens_details\":{\"cached_tokens\":512}}}");
        List<Named> out = new ArrayList<>();
        AnthropicEventWriter writer = new AnthropicEventWriter("claude-client", (n, d) -> out.add(new Named(n, text(d))),
                new Collected());
        OpenAiChunkReader reader = new OpenAiChunkReader(writer::write, new Collected());
        for (String c : chunks) {
            byte[] b = utf8(c);
            reader.feed(b, 0, b.length);
        }
        reader.end();
        Message m = accumulate(out);
        assertThat(m.content().get(0).asText().text()).isEqualTo("Sure");
        assertThat(m.content().get(1).asToolUse()._input().convert(Map.class)).isEqualTo(Map.of("n", 2));
        assertThat(m.stopReason()).contains(com.anthropic.models.messages.StopReason.TOOL_USE);
        assertThat(m.usage().inputTokens()).isEqualTo(388);
        assertThat(m.usage().cacheReadInputTokens()).contains(512L);
        assertThat(m.usage().cacheCreationInputTokens()).contains(0L);
        assertThat(m.usage().outputTokens()).isEqualTo(33);
    }

    @Test
    void itsEventsReadBackAsTheSameCanonicalEvents() {
        List<StreamEvent> events = new ArrayList<>();
        AnthropicEventReader reader = new AnthropicEventReader(events::add, new Collected());
        for (Named n : write(stream(null), new Collected())) {
            byte[] b = utf8(n.data());
            reader.feed(b, 0, b.length);
        }
        reader.end();
        List<StreamEvent> expected = new ArrayList<>(stream(null));
        // the signature arrives as one delta, and the start reports zeros when nothing was known
        expected.removeIf(e -> e instanceof SignatureDelta);
        expected.add(3, new SignatureDelta(0, "sig-part-1.sig-part-2.sig-part-3"));
        expected.set(0, new MessageStart("chatcmpl-9", "claude-client", Usage.of(0, 0)));
        expected.set(expected.size() - 1, new MessageEnd(StopReason.TOOL_USE, null, END_USAGE.toBuilder().reasoningTokens(0).build()));
        assertThat(events).containsExactlyElementsOf(expected);
    }

    @Test
    void reportsAStopReasonAnthropicLacks() {
        Collected warnings = new Collected();
        List<Named> out = write(List.of(new MessageStart("i", "m", null), new MessageEnd(StopReason.OTHER, null, null)),
                warnings);
        assertThat(out.get(1).data()).contains("\"stop_reason\":\"end_turn\"");
        assertThat(warnings.all).containsExactly("stop reason carried as end_turn: OTHER",
                "usage unknown at the end of the stream: usage");
    }
}
