package dev.tollgate.formats.openai;

import static dev.tollgate.formats.TestJson.assertJsonEquals;
import static dev.tollgate.formats.TestJson.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.ObjectMappers;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.completions.CompletionUsage;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiChunkWriterTest {

    static final Usage USAGE = Usage.builder().inputTokens(120).outputTokens(40).cachedInputTokens(100)
            .cacheWriteTokens(10).reasoningTokens(12).build();

    /** Thinking with a signature, text, and two tool calls with split arguments: what an Anthropic upstream yields. */
    static List<StreamEvent> richStream() {
        return List.of(
                new MessageStart("msg_01", "claude-sonnet", Usage.of(120, 1)),
                new BlockStart(0, new ContentBlock.Thinking("", null)),
                new ThinkingDelta(0, "Let me "),
                new ThinkingDelta(0, "think."),
                new SignatureDelta(0, "EqQBCkYI"),
                new BlockStop(0),
                new BlockStart(1, ContentBlock.Text.of("")),
                new TextDelta(1, "Checking "),
                new TextDelta(1, "both."),
                new BlockStop(1),
                new BlockStart(2, new ContentBlock.ToolUse("toolu_a", "weather", "")),
                new ToolArgumentsDelta(2, "{\"city\":"),
                new ToolArgumentsDelta(2, "\"Paris\"}"),
                new BlockStop(2),
                new BlockStart(3, new ContentBlock.ToolUse("toolu_b", "time", "")),
                new ToolArgumentsDelta(3, "{\"tz\":\"CET\"}"),
                new BlockStop(3),
                new MessageEnd(StopReason.TOOL_USE, null, USAGE));
    }

    static List<byte[]> write(List<StreamEvent> events, boolean includeUsage, Collected warnings) {
        List<byte[]> chunks = new ArrayList<>();
        OpenAiChunkWriter w = new OpenAiChunkWriter("gpt-client", 1741570000L, includeUsage, chunks::add, warnings);
        events.forEach(w::write);
        return chunks;
    }

    @Test
    void writesEachEventAsTheChunkOpenAiSends() {
        Collected warnings = new Collected();
        List<byte[]> chunks = write(richStream(), true, warnings);
        String head = "\"id\":\"msg_01\",\"object\":\"chat.completion.chunk\",\"created\":1741570000,\"model\":\"gpt-client\"";
        assertThat(chunks).extracting(c -> text(c)).containsExactly(
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me \"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"think.\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Checking \"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"both.\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_a\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_b\",\"type\":\"function\",\"function\":{\"name\":\"time\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"tz\\\":\\\"CET\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}",
                "{" + head + ",\"choices\":[],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":40,\"total_tokens\":160,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":100},\"completion_tokens_details\":{\"reasoning_tokens\":12}}}");
        assertThat(warnings.all).containsExactly("dropped thinking signature: stream");
    }

    @Test
    void writesNoUsageChunkUnlessAsked() {
        List<byte[]> chunks = write(richStream(), false, new Collected());
        assertThat(text(chunks.get(chunks.size() - 1))).contains("\"finish_reason\":\"tool_calls\"").doesNotContain("usage");
    }

    @ParameterizedTest
    @CsvSource({"END_TURN,stop", "STOP_SEQUENCE,stop", "PAUSE,stop", "OTHER,stop", "MAX_TOKENS,length",
        "TOOL_USE,tool_calls", "CONTENT_FILTER,content_filter", "REFUSAL,content_filter"})
    void writesEveryStopReasonAsAFinishReason(StopReason reason, String finish) {
        List<byte[]> chunks = write(List.of(new MessageStart("i", "m", null), new MessageEnd(reason, null, null)), true,
                new Collected());
        assertThat(chunks).hasSize(2);
        assertJsonEquals(text(chunks.get(1)), "{\"id\":\"i\",\"object\":\"chat.completion.chunk\",\"created\":1741570000,"
                + "\"model\":\"gpt-client\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\""
                + finish + "\"}]}");
    }

    @Test
    void theOfficialSdkAccumulatesTheSameAnswer() throws Exception {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        for (byte[] c : write(richStream(), true, new Collected())) {
            ChatCompletionChunk chunk = ObjectMappers.jsonMapper().readValue(c, ChatCompletionChunk.class);
            chunk.validate();
            acc.accumulate(chunk);
        }
        ChatCompletion completion = acc.chatCompletion();
        assertThat(completion.id()).isEqualTo("msg_01");
        assertThat(completion.model()).isEqualTo("gpt-client");
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Checking both.");
        List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
        assertThat(calls).extracting(t -> t.asFunction().id()).containsExactly("toolu_a", "toolu_b");
        assertThat(calls).extracting(t -> t.asFunction().function().name()).containsExactly("weather", "time");
        assertThat(calls).extracting(t -> t.asFunction().function().arguments())
                .containsExactly("{\"city\":\"Paris\"}", "{\"tz\":\"CET\"}");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(120);
        assertThat(usage.completionTokens()).isEqualTo(40);
        assertThat(usage.totalTokens()).isEqualTo(160);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(100L);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).contains(12L);
    }

    @Test
    void itsChunksReadBackAsTheSameEventsLessTheSignature() {
        List<StreamEvent> events = new ArrayList<>();
        OpenAiChunkReader reader = new OpenAiChunkReader(events::add, new Collected());
        for (byte[] c : write(richStream(), true, new Collected())) {
            reader.feed(c, 0, c.length);
        }
        reader.end();
        List<StreamEvent> expected = new ArrayList<>(richStream());
        expected.removeIf(e -> e instanceof SignatureDelta);
        expected.set(0, new MessageStart("msg_01", "gpt-client", null));
        // OpenAI has no cache-write count: those tokens stay in the prompt total
        expected.set(expected.size() - 1, new MessageEnd(StopReason.TOOL_USE, null,
                USAGE.toBuilder().cacheWriteTokens(0).build()));
        assertThat(events).containsExactlyElementsOf(expected);
    }
}
