package dev.tollgate.formats.openai;

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
import dev.tollgate.spi.chat.StreamEvent.TextDelta;
import dev.tollgate.spi.chat.StreamEvent.ThinkingDelta;
import dev.tollgate.spi.chat.StreamEvent.ToolArgumentsDelta;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiChunkReaderTest {

    static final String ARGS_A = "{\"city\":\"Paris\",\"unit\":\"celsius\"}";
    static final String ARGS_B = "{\"tz\":\"Europe/Paris\"}";

    static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1741570000,\"model\":\"gpt-4o-mini\","
                + "\"system_fingerprint\":\"fp_x\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    static String usageChunk(String usage) {
        return "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1741570000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[],\"usage\":" + usage + "}";
    }

    static String toolStart(int index, String id, String name) {
        return "{\"tool_calls\":[{\"index\":" + index + ",\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\""
                + name + "\",\"arguments\":\"\"}}]}";
    }

    static String toolArgs(int index, String piece) {
        return "{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":\"" + piece.replace("\"", "\\\"") + "\"}}]}";
    }

    static List<StreamEvent> read(List<String> chunks, Collected warnings) {
        List<StreamEvent> events = new ArrayList<>();
        OpenAiChunkReader reader = new OpenAiChunkReader(events::add, warnings);
        for (String c : chunks) {
            byte[] b = utf8(c);
            reader.feed(b, 0, b.length);
        }
        reader.end();
        return events;
    }

    @Test
    void readsTextAndTheUsageOfTheFinalChunk() {
        List<StreamEvent> events = read(List.of(
                chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null),
                chunk("{\"content\":\"Hel\"}", null),
                chunk("{\"content\":\"lo\"}", null),
                chunk("{}", "stop"),
                usageChunk("{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":0}}")),
                new Collected());
        assertThat(events).containsExactly(
                new MessageStart("chatcmpl-7", "gpt-4o-mini", null),
                new BlockStart(0, ContentBlock.Text.of("")),
                new TextDelta(0, "Hel"),
                new TextDelta(0, "lo"),
                new BlockStop(0),
                new MessageEnd(StopReason.END_TURN, null, Usage.builder().inputTokens(10).outputTokens(2).cachedInputTokens(4).build()));
    }

    @Test
    void readsReasoningThenTextAsTwoBlocks() {
        List<StreamEvent> events = read(List.of(
                chunk("{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"Think\"}", null),
                chunk("{\"reasoning\":\"ing\"}", null),
                chunk("{\"content\":\"Answer\"}", null),
                chunk("{}", "length")), new Collected());
        assertThat(events).containsExactly(
                new MessageStart("chatcmpl-7", "gpt-4o-mini", null),
                new BlockStart(0, new ContentBlock.Thinking("", null)),
                new ThinkingDelta(0, "Think"),
                new ThinkingDelta(0, "ing"),
                new BlockStop(0),
                new BlockStart(1, ContentBlock.Text.of("")),
                new TextDelta(1, "Answer"),
                new BlockStop(1),
                new MessageEnd(StopReason.MAX_TOKENS, null, null));
    }

    @Test
    void readsTwoParallelToolCallsWhateverWayTheirArgumentsAreSplit() {
        int longest = Math.max(ARGS_A.length(), ARGS_B.length());
        for (int split = 0; split <= longest; split++) {
            List<String> piecesA = splitAt(ARGS_A, split);
            List<String> piecesB = splitAt(ARGS_B, split);
            assertToolStream(piecesA, piecesB);
        }
        assertToolStream(chars(ARGS_A), chars(ARGS_B));
    }

    private static void assertToolStream(List<String> piecesA, List<String> piecesB) {
        List<String> chunks = new ArrayList<>();
        chunks.add(chunk("{\"role\":\"assistant\",\"content\":\"Checking.\"}", null));
        chunks.add(chunk(toolStart(0, "call_a", "weather"), null));
        piecesA.forEach(p -> chunks.add(chunk(toolArgs(0, p), null)));
        chunks.add(chunk(toolStart(1, "call_b", "time"), null));
        piecesB.forEach(p -> chunks.add(chunk(toolArgs(1, p), null)));
        chunks.add(chunk("{}", "tool_calls"));
        chunks.add(usageChunk("{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}"));

        List<StreamEvent> expected = new ArrayList<>();
        expected.add(new MessageStart("chatcmpl-7", "gpt-4o-mini", null));
        expected.add(new BlockStart(0, ContentBlock.Text.of("")));
        expected.add(new TextDelta(0, "Checking."));
        expected.add(new BlockStop(0));
        expected.add(new BlockStart(1, new ContentBlock.ToolUse("call_a", "weather", "")));
        piecesA.stream().filter(p -> !p.isEmpty()).forEach(p -> expected.add(new ToolArgumentsDelta(1, p)));
        expected.add(new BlockStop(1));
        expected.add(new BlockStart(2, new ContentBlock.ToolUse("call_b", "time", "")));
        piecesB.stream().filter(p -> !p.isEmpty()).forEach(p -> expected.add(new ToolArgumentsDelta(2, p)));
        expected.add(new BlockStop(2));
        expected.add(new MessageEnd(StopReason.TOOL_USE, null, Usage.of(5, 7)));

        List<StreamEvent> events = read(chunks, new Collected());
        assertThat(events).containsExactlyElementsOf(expected);
        assertThat(arguments(events, 1)).isEqualTo(ARGS_A);
        assertThat(arguments(events, 2)).isEqualTo(ARGS_B);
    }

    static String arguments(List<StreamEvent> events, int block) {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof BlockStart s && s.index() == block && s.block() instanceof ContentBlock.ToolUse u) {
                sb.append(u.arguments());
            }
            if (e instanceof ToolArgumentsDelta d && d.index() == block) {
                sb.append(d.json());
            }
        }
        return sb.toString();
    }

    static List<String> splitAt(String s, int at) {
        int k = Math.min(at, s.length());
        return List.of(s.substring(0, k), s.substring(k));
    }

    static List<String> chars(String s) {
        List<String> out = new ArrayList<>();
        for (char c : s.toCharArray()) {
            out.add(String.valueOf(c));
        }
        return out;
    }

    @Test
    void acceptsAToolCallSentWholeInOneChunk() {
        List<StreamEvent> events = read(List.of(
                chunk("{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}},"
                        + "{\"index\":1,\"id\":\"d\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}", null),
                chunk("{}", "tool_calls")), new Collected());
        assertThat(events).containsExactly(
                new MessageStart("chatcmpl-7", "gpt-4o-mini", null),
                new BlockStart(0, new ContentBlock.ToolUse("c", "f", "")),
                new ToolArgumentsDelta(0, "{\"x\":1}"),
                new BlockStop(0),
                new BlockStart(1, new ContentBlock.ToolUse("d", "g", "")),
                new ToolArgumentsDelta(1, "{}"),
                new BlockStop(1),
                new MessageEnd(StopReason.TOOL_USE, null, null));
    }

    @Test
    void refusesInterleavedToolCalls() {
        List<String> chunks = List.of(
                chunk(toolStart(0, "a", "f"), null),
                chunk(toolStart(1, "b", "g"), null),
                chunk(toolArgs(0, "{}"), null));
        OpenAiChunkReader reader = new OpenAiChunkReader(e -> { }, new Collected());
        byte[] first = utf8(chunks.get(0));
        byte[] second = utf8(chunks.get(1));
        byte[] third = utf8(chunks.get(2));
        reader.feed(first, 0, first.length);
        reader.feed(second, 0, second.length);
        assertThatThrownBy(() -> reader.feed(third, 0, third.length))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("choices[0].delta.tool_calls[0].index");
                    assertThat(e.getMessage()).contains("interleaved");
                });
    }

    @Test
    void detectsATruncatedStreamAndStillTellsItsUsage() {
        List<StreamEvent> events = new ArrayList<>();
        OpenAiChunkReader reader = new OpenAiChunkReader(events::add, new Collected());
        for (String c : List.of(chunk("{\"content\":\"Hal\"}", null),
                "{\"id\":\"chatcmpl-7\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"f\"},\"finish_reason\":null}],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}")) {
            byte[] b = utf8(c);
            reader.feed(b, 0, b.length);
        }
        assertThatThrownBy(reader::end).isInstanceOf(FormatException.class)
                .hasMessage("stream ended before the answer was complete");
        assertThat(reader.usage()).contains(Usage.of(3, 2));
        assertThat(events).noneMatch(e -> e instanceof MessageEnd);
    }

    @Test
    void anEmptyStreamIsTruncated() {
        OpenAiChunkReader reader = new OpenAiChunkReader(e -> { }, new Collected());
        assertThatThrownBy(reader::end).isInstanceOf(FormatException.class);
    }

    @Test
    void waitsForAChoiceBeforeStartingTheMessage() {
        // Azure sends prompt filter results first, in a chunk without choices or id
        List<StreamEvent> events = read(List.of(
                "{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":[]}",
                chunk("{\"role\":\"assistant\",\"content\":\"x\"}", null),
                chunk("{}", "content_filter")), new Collected());
        assertThat(events.get(0)).isEqualTo(new MessageStart("chatcmpl-7", "gpt-4o-mini", null));
        assertThat(events.get(events.size() - 1)).isEqualTo(new MessageEnd(StopReason.CONTENT_FILTER, null, null));
    }

    @Test
    void aStreamedRefusalEndsWithStopReasonRefusal() {
        List<StreamEvent> events = read(List.of(chunk("{\"refusal\":\"No.\"}", null), chunk("{}", "stop")), new Collected());
        assertThat(events).contains(new TextDelta(0, "No."));
        assertThat(events.get(events.size() - 1)).isEqualTo(new MessageEnd(StopReason.REFUSAL, null, null));
    }

    @Test
    void mapsAnUnknownFinishReasonToOtherAndReportsIt() {
        Collected warnings = new Collected();
        List<StreamEvent> events = read(List.of(chunk("{\"content\":\"x\"}", "eos")), warnings);
        assertThat(events.get(events.size() - 1)).isEqualTo(new MessageEnd(StopReason.OTHER, null, null));
        assertThat(warnings.all).containsExactly("unknown finish_reason: eos");
    }

    @Test
    void refusesMoreThanOneChoiceAndErrorChunks() {
        OpenAiChunkReader reader = new OpenAiChunkReader(e -> { }, new Collected());
        byte[] two = utf8("{\"id\":\"x\",\"choices\":[{\"index\":1,\"delta\":{\"content\":\"b\"}}]}");
        assertThatThrownBy(() -> reader.feed(two, 0, two.length))
                .isInstanceOfSatisfying(FormatException.class, e -> assertThat(e.param()).isEqualTo("choices[0].index"));
        OpenAiChunkReader other = new OpenAiChunkReader(e -> { }, new Collected());
        byte[] error = utf8("{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}");
        assertThatThrownBy(() -> other.feed(error, 0, error.length))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("error");
                    assertThat(e.getMessage()).contains("server_error", "The server had an error");
                });
    }

    @Test
    void namesACallWithoutAnIdAndReportsIt() {
        Collected warnings = new Collected();
        List<StreamEvent> events = read(List.of(
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}", null),
                chunk("{}", "tool_calls")), warnings);
        assertThat(events.get(1)).isEqualTo(new BlockStart(0, new ContentBlock.ToolUse("call_0", "f", "")));
        assertThat(warnings.all).containsExactly("tool call without an id, named: call_0");
    }
}
