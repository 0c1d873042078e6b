package dev.tollgate.formats.anthropic;

import static dev.tollgate.formats.TestJson.assertJsonEquals;
import static dev.tollgate.formats.TestJson.text;
import static dev.tollgate.formats.TestJson.tree;
import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.core.ObjectMappers;
import com.anthropic.models.messages.Message;
import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class AnthropicResponsesTest {

    static final String MESSAGE = """
            {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[
               {"type":"thinking","thinking":"Check the weather.","signature":"EqQBCgIYAhIM"},
               {"type":"text","text":"Looking it up.","citations":null},
               {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA"}},
               {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"sf weather"}}
             ],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":50,"cache_creation_input_tokens":200,"cache_read_input_tokens":1000,
                      "output_tokens":80,"service_tier":"standard"}}""";

    @Test
    void parsesContentStopReasonAndUsageInTheCanonicalConvention() {
        Collected warnings = new Collected();
        ChatResponse r = parse(MESSAGE, warnings);
        assertThat(r.id()).isEqualTo("msg_01XFDUDYJgAACzvnptvVoYEL");
        assertThat(r.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(r.content()).containsExactly(
                new ContentBlock.Thinking("Check the weather.", "EqQBCgIYAhIM"),
                ContentBlock.Text.of("Looking it up."),
                new ContentBlock.ToolUse("toolu_01A09q90qw90lq917835lq9", "get_weather", "{\"location\":\"San Francisco, CA\"}"),
                new ContentBlock.Opaque(WireFormat.ANTHROPIC_MESSAGES, "server_tool_use", RawJson.of(
                        "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"query\":\"sf weather\"}}")));
        assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(r.usage()).contains(Usage.builder().inputTokens(1250).outputTokens(80).cachedInputTokens(1000)
                .cacheWriteTokens(200).build());
        assertThat(warnings.all).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"end_turn,END_TURN", "max_tokens,MAX_TOKENS", "model_context_window_exceeded,MAX_TOKENS",
        "stop_sequence,STOP_SEQUENCE", "tool_use,TOOL_USE", "pause_turn,PAUSE", "refusal,REFUSAL"})
    void mapsEveryStopReason(String reason, StopReason expected) {
        Collected warnings = new Collected();
        assertThat(parse(withStop(reason), warnings).stopReason()).isEqualTo(expected);
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void mapsAnUnknownStopReasonToOtherAndReportsIt() {
        Collected warnings = new Collected();
        assertThat(parse(withStop("compaction"), warnings).stopReason()).isEqualTo(StopReason.OTHER);
        assertThat(warnings.all).containsExactly("unknown stop_reason: compaction");
    }

    @ParameterizedTest
    @CsvSource({"END_TURN,end_turn", "MAX_TOKENS,max_tokens", "STOP_SEQUENCE,stop_sequence", "TOOL_USE,tool_use",
        "REFUSAL,refusal", "CONTENT_FILTER,refusal", "PAUSE,pause_turn", "OTHER,end_turn"})
    void writesEveryStopReason(StopReason reason, String expected) {
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("a")).stopReason(reason)
                .usage(Usage.of(1, 1)).build();
        Collected warnings = new Collected();
        assertThat(tree(AnthropicResponses.write(r, "m", warnings)).path("stop_reason").asText()).isEqualTo(expected);
        assertThat(warnings.all).hasSize(reason == StopReason.OTHER || reason == StopReason.CONTENT_FILTER ? 1 : 0);
    }

    @ParameterizedTest
    @EnumSource(value = StopReason.class, names = {"END_TURN", "MAX_TOKENS", "STOP_SEQUENCE", "TOOL_USE", "REFUSAL", "PAUSE"})
    void roundTripsTheStopReasonsAnthropicHas(StopReason reason) {
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("a")).stopReason(reason)
                .stopSequence(reason == StopReason.STOP_SEQUENCE ? "END" : null)
                .usage(Usage.builder().inputTokens(30).outputTokens(5).cachedInputTokens(10).cacheWriteTokens(15).build())
                .build();
        ChatResponse back = parse(text(AnthropicResponses.write(r, "m", new Collected())), new Collected());
        assertThat(back.stopReason()).isEqualTo(reason);
        assertThat(back.stopSequence()).isEqualTo(r.stopSequence());
        assertThat(back.usage()).isEqualTo(r.usage());
        assertThat(back.content()).isEqualTo(r.content());
    }

    @Test
    void writesAMessageWithUsageInAnthropicsConvention() {
        ChatResponse r = ChatResponse.builder().id("chatcmpl-1").model("gpt-4o")
                .addContent(new ContentBlock.Thinking("reasoned", null))
                .addContent(ContentBlock.Text.of("Hi"))
                .addContent(new ContentBlock.ToolUse("call_1", "f", ""))
                .addContent(new ContentBlock.ToolUse("call_2", "g", "not json"))
                .stopReason(StopReason.TOOL_USE)
                .usage(Usage.builder().inputTokens(1000).outputTokens(50).cachedInputTokens(800).reasoningTokens(20).build())
                .build();
        Collected warnings = new Collected();
        assertJsonEquals(text(AnthropicResponses.write(r, "claude-client", warnings)), """
                {"id":"chatcmpl-1","type":"message","role":"assistant","model":"claude-client","content":[
                  {"type":"thinking","thinking":"reasoned","signature":""},
                  {"type":"text","text":"Hi"},
                  {"type":"tool_use","id":"call_1","name":"f","input":{}},
                  {"type":"tool_use","id":"call_2","name":"g","input":"not json"}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":200,"cache_creation_input_tokens":0,"cache_read_input_tokens":800,"output_tokens":50}}""");
        assertThat(warnings.all).containsExactly("tool arguments are not JSON; sent as a JSON string: content[3]");
    }

    @Test
    void writesZerosWhenUsageIsUnknownAndReportsIt() {
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("a")).build();
        Collected warnings = new Collected();
        String json = text(AnthropicResponses.write(r, "m", warnings));
        assertThat(tree(json).path("usage").path("input_tokens").asLong()).isZero();
        assertThat(warnings.all).containsExactly("usage unknown; wrote zeros (Anthropic requires usage): usage");
    }

    @Test
    void rejectsAnErrorObject() {
        assertThatThrownBy(() -> parse("""
                {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("error");
                    assertThat(e.getMessage()).isEqualTo("upstream error overloaded_error: Overloaded");
                });
    }

    @Test
    void theOfficialSdkParsesWhatItWrites() throws Exception {
        ChatResponse r = ChatResponse.builder().id("msg_x").model("up")
                .addContent(new ContentBlock.Thinking("t", "sig"))
                .addContent(ContentBlock.Text.of("Answer"))
                .addContent(new ContentBlock.ToolUse("toolu_1", "lookup", "{\"q\":\"x\"}"))
                .stopReason(StopReason.TOOL_USE)
                .usage(Usage.builder().inputTokens(100).outputTokens(7).cachedInputTokens(30).cacheWriteTokens(20).build())
                .build();
        Message m = ObjectMappers.jsonMapper().readValue(AnthropicResponses.write(r, "claude-x", new Collected()), Message.class);
        assertThat(m.id()).isEqualTo("msg_x");
        assertThat(m.model().asString()).isEqualTo("claude-x");
        assertThat(m.content().get(0).asThinking().signature()).isEqualTo("sig");
        assertThat(m.content().get(1).asText().text()).isEqualTo("Answer");
        assertThat(m.content().get(2).asToolUse().name()).isEqualTo("lookup");
        assertThat(m.content().get(2).asToolUse()._input().convert(java.util.Map.class)).isEqualTo(java.util.Map.of("q", "x"));
        assertThat(m.stopReason()).contains(com.anthropic.models.messages.StopReason.TOOL_USE);
        assertThat(m.usage().inputTokens()).isEqualTo(50);
        assertThat(m.usage().cacheReadInputTokens()).contains(30L);
        assertThat(m.usage().cacheCreationInputTokens()).contains(20L);
        assertThat(m.usage().outputTokens()).isEqualTo(7);
    }

    private static String withStop(String reason) {
        return "{\"id\":\"x\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"a\"}],\"stop_reason\":\"" + reason + "\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
    }

    private static ChatResponse parse(String json, Collected warnings) {
        byte[] b = utf8(json);
        return AnthropicResponses.parse(b, 0, b.length, warnings);
    }
}
