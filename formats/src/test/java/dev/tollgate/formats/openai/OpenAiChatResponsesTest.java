package dev.tollgate.formats.openai;

import static dev.tollgate.formats.TestJson.assertJsonEquals;
import static dev.tollgate.formats.TestJson.text;
import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class OpenAiChatResponsesTest {

    static final String COMPLETION = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.","refusal":null,
               "reasoning_content":"The user wants weather.","annotations":[],
               "tool_calls":[{"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
               "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,
               "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
               "completion_tokens_details":{"reasoning_tokens":200,"audio_tokens":0}},
             "service_tier":"default","system_fingerprint":"fp_1"}""";

    @Test
    void parsesReasoningTextToolCallsAndUsage() {
        Collected warnings = new Collected();
        ChatResponse r = parse(COMPLETION, warnings);
        assertThat(r.id()).isEqualTo("chatcmpl-1");
        assertThat(r.model()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(r.created()).isEqualTo(1741569952L);
        assertThat(r.content()).containsExactly(new ContentBlock.Thinking("The user wants weather.", null),
                ContentBlock.Text.of("Let me check."), new ContentBlock.ToolUse("call_a", "weather", "{\"city\":\"Oslo\"}"));
        assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(r.usage()).contains(Usage.builder().inputTokens(1200).outputTokens(300).cachedInputTokens(1024)
                .reasoningTokens(200).build());
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void absentUsageStaysAbsent() {
        ChatResponse r = parse("""
                {"id":"x","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}""",
                new Collected());
        assertThat(r.usage()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"stop,END_TURN", "length,MAX_TOKENS", "tool_calls,TOOL_USE", "function_call,TOOL_USE",
        "content_filter,CONTENT_FILTER"})
    void mapsEveryFinishReason(String finish, StopReason expected) {
        Collected warnings = new Collected();
        assertThat(parse(withFinish(finish), warnings).stopReason()).isEqualTo(expected);
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void mapsAnUnknownFinishReasonToOtherAndReportsIt() {
        Collected warnings = new Collected();
        assertThat(parse(withFinish("eos_token"), warnings).stopReason()).isEqualTo(StopReason.OTHER);
        assertThat(warnings.all).containsExactly("unknown finish_reason: eos_token");
    }

    @Test
    void aRefusalIsTextWithStopReasonRefusal() {
        ChatResponse r = parse("""
                {"id":"x","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,
                 "refusal":"I can't help with that."},"finish_reason":"stop"}]}""", new Collected());
        assertThat(r.content()).containsExactly(ContentBlock.Text.of("I can't help with that."));
        assertThat(r.stopReason()).isEqualTo(StopReason.REFUSAL);
    }

    @Test
    void rejectsNoChoicesMoreThanOneChoiceAndErrorObjects() {
        assertThatThrownBy(() -> parse("{\"id\":\"x\",\"model\":\"m\",\"choices\":[]}", new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> assertThat(e.param()).isEqualTo("choices"));
        assertThatThrownBy(() -> parse("{\"id\":\"x\",\"model\":\"m\"}", new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> assertThat(e.param()).isEqualTo("choices"));
        String two = """
                {"id":"x","model":"m","choices":[{"index":0,"message":{"content":"a"},"finish_reason":"stop"},
                 {"index":1,"message":{"content":"b"},"finish_reason":"stop"}]}""";
        assertThatThrownBy(() -> parse(two, new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("choices");
                    assertThat(e.getMessage()).contains("more than one choice");
                });
        assertThatThrownBy(() -> parse("{\"error\":{\"message\":\"Rate limit\",\"type\":\"requests\"}}", new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("error");
                    assertThat(e.getMessage()).isEqualTo("upstream error requests: Rate limit");
                });
    }

    @Test
    void writesAChatCompletion() {
        ChatResponse r = ChatResponse.builder().id("msg_1").model("claude").created(1700000000L)
                .addContent(new ContentBlock.Thinking("think", "sig")).addContent(ContentBlock.Text.of("Hello "))
                .addContent(ContentBlock.Text.of("there")).addContent(new ContentBlock.ToolUse("t1", "f", "{\"a\":1}"))
                .stopReason(StopReason.TOOL_USE)
                .usage(Usage.builder().inputTokens(100).outputTokens(20).cachedInputTokens(60).cacheWriteTokens(10)
                        .reasoningTokens(5).build())
                .build();
        Collected warnings = new Collected();
        assertJsonEquals(text(OpenAiChatResponses.write(r, "gpt-client", warnings)), """
                {"id":"msg_1","object":"chat.completion","created":1700000000,"model":"gpt-client",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there","refusal":null,
                   "reasoning_content":"think",
                   "tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
                   "logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,
                   "prompt_tokens_details":{"cached_tokens":60},"completion_tokens_details":{"reasoning_tokens":5}}}""");
        assertThat(warnings.all).containsExactly("dropped thinking signature: content");
    }

    @Test
    void contentIsNullWhenThereIsOnlyToolUse() {
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(new ContentBlock.ToolUse("t", "f", "{}"))
                .stopReason(StopReason.TOOL_USE).build();
        String json = text(OpenAiChatResponses.write(r, "m", new Collected()));
        assertThat(dev.tollgate.formats.TestJson.tree(json).at("/choices/0/message/content").isNull()).isTrue();
        assertThat(dev.tollgate.formats.TestJson.tree(json).has("usage")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"END_TURN,stop", "STOP_SEQUENCE,stop", "PAUSE,stop", "OTHER,stop", "MAX_TOKENS,length",
        "TOOL_USE,tool_calls", "CONTENT_FILTER,content_filter", "REFUSAL,content_filter"})
    void writesEveryStopReason(StopReason reason, String finish) {
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("a")).stopReason(reason).build();
        String json = text(OpenAiChatResponses.write(r, "m", new Collected()));
        assertThat(dev.tollgate.formats.TestJson.tree(json).at("/choices/0/finish_reason").asText()).isEqualTo(finish);
    }

    @ParameterizedTest
    @EnumSource(value = StopReason.class, names = {"END_TURN", "MAX_TOKENS", "TOOL_USE", "CONTENT_FILTER"})
    void roundTripsTheStopReasonsOpenAiHas(StopReason reason) {
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("a")).stopReason(reason)
                .usage(Usage.of(3, 4)).build();
        ChatResponse back = parse(text(OpenAiChatResponses.write(r, "m", new Collected())), new Collected());
        assertThat(back.stopReason()).isEqualTo(reason);
        assertThat(back.content()).isEqualTo(r.content());
        assertThat(back.usage()).isEqualTo(r.usage());
    }

    @Test
    void theOfficialSdkParsesWhatItWrites() throws Exception {
        ChatResponse r = ChatResponse.builder().id("msg_9").model("claude").created(1700000001L)
                .addContent(ContentBlock.Text.of("Two calls."))
                .addContent(new ContentBlock.ToolUse("t1", "weather", "{\"city\":\"Rome\"}"))
                .addContent(new ContentBlock.ToolUse("t2", "time", "{}"))
                .stopReason(StopReason.TOOL_USE)
                .usage(Usage.builder().inputTokens(50).outputTokens(9).cachedInputTokens(40).reasoningTokens(2).build())
                .build();
        ChatCompletion c = ObjectMappers.jsonMapper().readValue(OpenAiChatResponses.write(r, "gpt-x", new Collected()),
                ChatCompletion.class);
        c.validate();
        assertThat(c.id()).isEqualTo("msg_9");
        assertThat(c.model()).isEqualTo("gpt-x");
        assertThat(c.created()).isEqualTo(1700000001L);
        ChatCompletion.Choice choice = c.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Two calls.");
        List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
        assertThat(calls).extracting(t -> t.asFunction().id()).containsExactly("t1", "t2");
        assertThat(calls).extracting(t -> t.asFunction().function().name()).containsExactly("weather", "time");
        assertThat(calls).extracting(t -> t.asFunction().function().arguments()).containsExactly("{\"city\":\"Rome\"}", "{}");
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(50);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(9);
        assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(59);
        assertThat(c.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens()).contains(40L);
        assertThat(c.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens()).contains(2L);
    }

    private static String withFinish(String finish) {
        return "{\"id\":\"x\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"a\"},"
                + "\"finish_reason\":\"" + finish + "\"}]}";
    }

    private static ChatResponse parse(String json, Collected warnings) {
        byte[] b = utf8(json);
        return OpenAiChatResponses.parse(b, 0, b.length, warnings);
    }
}
