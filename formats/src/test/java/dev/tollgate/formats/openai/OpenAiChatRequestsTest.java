package dev.tollgate.formats.openai;

import static dev.tollgate.formats.TestJson.assertJsonEquals;
import static dev.tollgate.formats.TestJson.assertSameRequest;
import static dev.tollgate.formats.TestJson.text;
import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Reasoning;
import dev.tollgate.spi.chat.ResponseFormat;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.ToolChoice;
import dev.tollgate.spi.chat.WireFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OpenAiChatRequestsTest {

    /** A request in the shape of OpenAI's API reference, using every mapped field. */
    static final String FULL = """
            {
              "model": "gpt-4o",
              "messages": [
                {"role": "developer", "content": "You are terse."},
                {"role": "system", "content": [{"type": "text", "text": "Answer in English."}]},
                {"role": "user", "name": "ann", "content": [
                  {"type": "text", "text": "What is in these?"},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
                  {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                  {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}
                ]},
                {"role": "assistant", "content": null, "reasoning_content": "Need the weather.",
                 "tool_calls": [
                   {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\\"city\\": \\"Paris\\"}"}},
                   {"id": "call_2", "type": "function", "function": {"name": "time", "arguments": "{}"}}
                 ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
                {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "09:00"}]},
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Thanks"}
              ],
              "tools": [{"type": "function", "function": {"name": "weather", "description": "Weather by city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}, "strict": true}}],
              "tool_choice": {"type": "function", "function": {"name": "weather"}},
              "parallel_tool_calls": false,
              "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}, "strict": true}},
              "max_completion_tokens": 512,
              "reasoning_effort": "low",
              "stop": ["END", "STOP"],
              "temperature": 0.2,
              "top_p": 0.9,
              "seed": 7,
              "presence_penalty": 0.5,
              "frequency_penalty": -0.5,
              "user": "u-1",
              "metadata": {"team": "a"},
              "stream": true,
              "stream_options": {"include_usage": true},
              "logit_bias" :  { "50256" : -100 },
              "n": 2,
              "prediction": {"type": "content", "content": "h\\u00e9llo \u00e9"}
            }""";

    @Test
    void parsesEveryMappedField() {
        Collected warnings = new Collected();
        ChatRequest r = OpenAiChatRequests.parse(utf8(FULL), 0, utf8(FULL).length, warnings);

        assertThat(r.model()).isEqualTo("gpt-4o");
        assertThat(r.system()).containsExactly(ContentBlock.Text.of("You are terse."), ContentBlock.Text.of("Answer in English."));
        List<Message> m = r.messages();
        assertThat(m).hasSize(5);
        assertThat(m.get(0).role()).isEqualTo(Role.USER);
        assertThat(m.get(0).name()).isEqualTo("ann");
        assertThat(m.get(0).content()).containsExactly(
                ContentBlock.Text.of("What is in these?"),
                new ContentBlock.Image("image/png", "iVBORw0KGgo=", null, "high", null),
                ContentBlock.Image.url("https://example.com/cat.jpg"),
                new ContentBlock.Opaque(WireFormat.OPENAI_CHAT, "input_audio",
                        RawJson.of("{\"type\": \"input_audio\", \"input_audio\": {\"data\": \"UklGRg==\", \"format\": \"wav\"}}")));
        assertThat(m.get(1)).isEqualTo(Message.of(Role.ASSISTANT, List.of(
                new ContentBlock.Thinking("Need the weather.", null),
                new ContentBlock.ToolUse("call_1", "weather", "{\"city\": \"Paris\"}"),
                new ContentBlock.ToolUse("call_2", "time", "{}"))));
        assertThat(m.get(2)).isEqualTo(Message.of(Role.USER, List.of(
                ContentBlock.ToolResult.text("call_1", "18C"), ContentBlock.ToolResult.text("call_2", "09:00"))));
        assertThat(m.get(3)).isEqualTo(Message.of(Role.SYSTEM, List.of(ContentBlock.Text.of("Be brief."))));
        assertThat(m.get(4)).isEqualTo(Message.user("Thanks"));

        assertThat(r.tools()).containsExactly(new Tool("weather", "Weather by city",
                RawJson.of("{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}"), true, null));
        assertThat(r.toolChoice()).contains(ToolChoice.tool("weather"));
        assertThat(r.parallelToolCalls()).contains(false);
        assertThat(r.responseFormat()).contains(ResponseFormat.jsonSchema("w", RawJson.of("{\"type\": \"object\"}"), true));
        assertThat(r.maxTokens()).contains(512);
        assertThat(r.reasoning()).contains(new Reasoning("low", null));
        assertThat(r.stop()).containsExactly("END", "STOP");
        assertThat(r.temperature()).contains(0.2);
        assertThat(r.topP()).contains(0.9);
        assertThat(r.seed()).contains(7L);
        assertThat(r.presencePenalty()).contains(0.5);
        assertThat(r.frequencyPenalty()).contains(-0.5);
        assertThat(r.user()).contains("u-1");
        assertThat(r.metadata()).containsExactly(Map.entry("team", "a"));
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void keepsUnmappedTopLevelFieldsAsTheExactInputBytes() {
        ChatRequest r = OpenAiChatRequests.parse(utf8(FULL), 0, utf8(FULL).length, new Collected());

        assertThat(r.extraFormat()).isEqualTo(WireFormat.OPENAI_CHAT);
        assertThat(r.extra()).containsExactly(
                Map.entry("logit_bias", RawJson.of("{ \"50256\" : -100 }")),
                Map.entry("n", RawJson.of("2")),
                Map.entry("prediction", RawJson.of("{\"type\": \"content\", \"content\": \"h\\u00e9llo \u00e9\"}")));
        String written = text(OpenAiChatRequests.write(r, "gpt-4o-2024", OpenAiWriteOptions.openAi(true), new Collected()));
        assertThat(written).contains("\"logit_bias\":{ \"50256\" : -100 }", "\"n\":2",
                "\"prediction\":{\"type\": \"content\", \"content\": \"h\\u00e9llo \u00e9\"}");
    }

    @Test
    void parsesFromAnOffsetInALargerArray() {
        byte[] inner = utf8("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x\":[1]}");
        byte[] outer = new byte[inner.length + 10];
        System.arraycopy(inner, 0, outer, 5, inner.length);
        ChatRequest r = OpenAiChatRequests.parse(outer, 5, inner.length, new Collected());
        assertThat(r.messages()).containsExactly(Message.user("hi"));
        assertThat(r.extra()).containsExactly(Map.entry("x", RawJson.of("[1]")));
    }

    /** A request already in the shapes the writer produces, so parse then write gives it back. */
    static final String CANONICAL_SHAPED = """
            {"model":"gpt-4o","messages":[
              {"role":"system","content":"Be exact."},
              {"role":"user","content":[{"type":"text","text":"Look"},
                {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ","detail":"low"}},
                {"type":"file","file":{"file_id":"file-1"}}]},
              {"role":"assistant","content":"Calling.","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"ok"},
              {"role":"user","name":"bob","content":"next"},
              {"role":"assistant","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}
            ],
            "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
            "tool_choice":"required","parallel_tool_calls":true,"response_format":{"type":"json_object"},
            "temperature":1,"top_p":0.5,"seed":1,"presence_penalty":0,"frequency_penalty":0.1,
            "stop":["x"],"max_completion_tokens":100,"reasoning_effort":"high","user":"u","metadata":{"k":"v"},
            "stream":true,"stream_options":{"include_usage":true},"service_tier":"flex"}""";

    @Test
    void writesBackWhatItParsed() {
        byte[] in = utf8(CANONICAL_SHAPED);
        ChatRequest r = OpenAiChatRequests.parse(in, 0, in.length, new Collected());
        Collected warnings = new Collected();
        String out = text(OpenAiChatRequests.write(r, "gpt-4o", OpenAiWriteOptions.openAi(true), warnings));
        assertJsonEquals(out, CANONICAL_SHAPED);
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void roundTripsCanonicalThroughOpenAi() {
        ChatRequest canonical = ChatRequest.builder().model("gpt-4o")
                .system(List.of(ContentBlock.Text.of("a"), ContentBlock.Text.of("b")))
                .addMessage(Message.user("hi"))
                .addMessage(Message.of(Role.ASSISTANT, List.of(ContentBlock.Text.of("t"),
                        new ContentBlock.ToolUse("c1", "f", "{\"x\":1}"), new ContentBlock.ToolUse("c2", "g", ""))))
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.ToolResult.text("c1", "r1"),
                        new ContentBlock.ToolResult("c2", List.of(ContentBlock.Text.of("p"), ContentBlock.Text.of("q")),
                                false, null))))
                .addMessage(Message.of(Role.SYSTEM, List.of(ContentBlock.Text.of("mid"))))
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.Text.of("x"), ContentBlock.Image.url("https://e/x.png"),
                        ContentBlock.Image.base64("image/gif", "R0lG"))))
                .tools(List.of(new Tool("f", "d", RawJson.of("{\"type\":\"object\"}"), false, null)))
                .toolChoice(ToolChoice.NONE).parallelToolCalls(false).responseFormat(ResponseFormat.TEXT)
                .temperature(0.3).topP(0.8).seed(5L).presencePenalty(0.1).frequencyPenalty(0.2)
                .stop(List.of("s1", "s2")).maxTokens(64).reasoning(new Reasoning("medium", null)).user("me")
                .metadata(Map.of("a", "b")).stream(true).includeUsage(true)
                .extra(WireFormat.OPENAI_CHAT, Map.of("logprobs", RawJson.of("true")))
                .build();
        byte[] wire = OpenAiChatRequests.write(canonical, "gpt-4o", OpenAiWriteOptions.openAi(true), new Collected());
        ChatRequest back = OpenAiChatRequests.parse(wire, 0, wire.length, new Collected());
        assertSameRequest(back, canonical);
    }

    @Test
    void splitsAUserMessageIntoToolMessagesThenTheRest() {
        ChatRequest r = ChatRequest.builder().model("m")
                .addMessage(Message.of(Role.USER, List.of(
                        ContentBlock.Text.of("see results"),
                        new ContentBlock.ToolResult("c1", List.of(ContentBlock.Text.of("chart:"),
                                ContentBlock.Image.url("https://e/chart.png")), true, null),
                        ContentBlock.ToolResult.text("c2", "done"))))
                .build();
        Collected warnings = new Collected();
        String out = text(OpenAiChatRequests.write(r, "m", OpenAiWriteOptions.openAi(false), warnings));
        assertJsonEquals(out, """
                {"model":"m","messages":[
                  {"role":"tool","tool_call_id":"c1","content":"chart:"},
                  {"role":"tool","tool_call_id":"c2","content":"done"},
                  {"role":"user","content":[{"type":"text","text":"see results"},
                                            {"type":"image_url","image_url":{"url":"https://e/chart.png"}}]}]}""");
        assertThat(warnings.all).containsExactly("dropped is_error of a tool result (OpenAI has none): messages[0].content[1]");
    }

    @Test
    void dropsThinkingAndCacheControlAndReportsThem() {
        ChatRequest r = ChatRequest.builder().model("m")
                .system(List.of(new ContentBlock.Text("sys", RawJson.of("{\"type\":\"ephemeral\"}"))))
                .addMessage(Message.user("q"))
                .addMessage(Message.of(Role.ASSISTANT, List.of(new ContentBlock.Thinking("hmm", "sig"),
                        new ContentBlock.RedactedThinking("xx"), ContentBlock.Text.of("a"))))
                .build();
        Collected warnings = new Collected();
        String out = text(OpenAiChatRequests.write(r, "m", OpenAiWriteOptions.openAi(false), warnings));
        assertJsonEquals(out, """
                {"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":"q"},
                  {"role":"assistant","content":"a"}]}""");
        assertThat(warnings.all).containsExactly("dropped cache_control: system",
                "dropped thinking (OpenAI takes no reasoning back): messages[1]",
                "dropped redacted thinking: messages[1]");
    }

    @Test
    void refusesAnOpaqueBlockOfAnotherFormatNamingItsPlace() {
        ChatRequest r = ChatRequest.builder().model("m")
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.Text.of("read"),
                        new ContentBlock.Opaque(WireFormat.ANTHROPIC_MESSAGES, "document", RawJson.of("{\"type\":\"document\"}")))))
                .build();
        assertThatThrownBy(() -> OpenAiChatRequests.write(r, "m", OpenAiWriteOptions.openAi(false), new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("messages[0].content[1]");
                    assertThat(e.getMessage()).contains("'document'");
                });
    }

    @Test
    void ignoresAnotherFormatsExtrasReportingEachOnce() {
        ChatRequest r = ChatRequest.builder().model("m").addMessage(Message.user("q"))
                .extra(WireFormat.ANTHROPIC_MESSAGES, Map.of("container", RawJson.of("\"c\""))).build();
        Collected warnings = new Collected();
        String out = text(OpenAiChatRequests.write(r, "m", OpenAiWriteOptions.openAi(false), warnings));
        assertThat(out).doesNotContain("container");
        assertThat(warnings.all).containsExactly("dropped ANTHROPIC_MESSAGES field: container");
    }

    @Test
    void convertsAThinkingBudgetToAnEffortAndReportsIt() {
        ChatRequest r = ChatRequest.builder().model("m").addMessage(Message.user("q"))
                .reasoning(new Reasoning(null, 10000)).topK(5).build();
        Collected warnings = new Collected();
        String out = text(OpenAiChatRequests.write(r, "m", OpenAiWriteOptions.openAi(false), warnings));
        assertThat(TestJsonAccess.field(out, "reasoning_effort")).isEqualTo("high");
        assertThat(warnings.all).contains("reasoning budget converted to reasoning_effort: 10000 tokens -> high",
                "dropped field OpenAI has no equivalent for: top_k");
    }

    @Test
    void writesTheChosenMaxTokensFieldAndAsksForStreamUsage() {
        ChatRequest r = ChatRequest.builder().model("m").addMessage(Message.user("q")).maxTokens(10).build();
        String compatible = text(OpenAiChatRequests.write(r, "up", OpenAiWriteOptions.compatible(true), new Collected()));
        assertJsonEquals(compatible, """
                {"model":"up","messages":[{"role":"user","content":"q"}],"max_tokens":10,"stream":true,
                 "stream_options":{"include_usage":true}}""");
        String plain = text(OpenAiChatRequests.write(r, "up",
                new OpenAiWriteOptions(true, false, OpenAiWriteOptions.MaxTokensField.MAX_COMPLETION_TOKENS), new Collected()));
        assertJsonEquals(plain, """
                {"model":"up","messages":[{"role":"user","content":"q"}],"max_completion_tokens":10,"stream":true}""");
    }

    @Test
    void prefersMaxCompletionTokensAndReportsTheOther() {
        Collected warnings = new Collected();
        ChatRequest r = parse("""
                {"model":"m","messages":[],"max_tokens":5,"max_completion_tokens":9}""", warnings);
        assertThat(r.maxTokens()).contains(9);
        assertThat(warnings.all).containsExactly("dropped field, max_completion_tokens wins: max_tokens");
    }

    @Test
    void treatsNullsAsAbsent() {
        ChatRequest r = parse("""
                {"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":null,"refusal":null}],
                 "tools":null,"tool_choice":null,"temperature":null,"stop":null,"response_format":null,"user":null,
                 "stream_options":null,"metadata":null,"reasoning_effort":null}""", new Collected());
        assertThat(r.messages()).containsExactly(Message.of(Role.ASSISTANT, List.of()));
        assertThat(r.tools()).isEmpty();
        assertThat(r.temperature()).isEmpty();
        assertThat(r.extra()).isEmpty();
    }

    @Test
    void keepsAssistantRefusalAndStopAsAString() {
        ChatRequest r = parse("""
                {"model":"m","stop":"END","messages":[{"role":"assistant","refusal":"I can't."}]}""", new Collected());
        assertThat(r.stop()).containsExactly("END");
        assertThat(r.messages()).containsExactly(Message.assistant("I can't."));
    }

    @Test
    void reportsDroppedMessageFields() {
        Collected warnings = new Collected();
        parse("""
                {"model":"m","messages":[{"role":"assistant","content":"a","audio":{"id":"au_1"}}]}""", warnings);
        assertThat(warnings.all).containsExactly("dropped field: messages[0].audio");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\",\"messages\":[],\"functions\":[]}|functions|legacy function calling",
        "{\"model\":\"m\",\"messages\":[],\"function_call\":\"auto\"}|function_call|legacy function calling",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"function\",\"name\":\"f\",\"content\":\"1\"}]}|messages[1].role|legacy function calling",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"function_call\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}|messages[0].function_call|legacy function calling",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"a\"}]}|messages[0].role|unknown role 'wizard'",
        "{\"model\":\"m\",\"messages\":[{\"content\":\"a\"}]}|messages[0].role|required",
        "{\"model\":\"m\",\"messages\":[],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"web_search\"}]}|tools[1].type|'web_search'",
        "{\"model\":\"m\",\"messages\":[],\"tool_choice\":\"sometimes\"}|tool_choice|sometimes",
        "{\"model\":\"m\",\"messages\":[],\"tool_choice\":{\"type\":\"allowed_tools\"}}|tool_choice.type|allowed_tools",
        "{\"model\":\"m\",\"messages\":[],\"response_format\":{\"type\":\"yaml\"}}|response_format.type|yaml",
        "{\"model\":\"m\",\"messages\":[],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}|response_format.json_schema.schema|required",
        "{\"messages\":[]}|model|required",
        "{\"model\":\"m\"}|messages|required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}|messages[0].tool_call_id|required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}}]}]}|messages[0].content[1].type|image_url",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}}]}]}|messages[0].content[0].type|image_url",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]}]}|messages[0].content[0].type|required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"custom\",\"custom\":{}}]}]}|messages[0].tool_calls[0].type|custom",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}]}|messages[0].tool_calls[0].id|required",
        "{\"model\":\"m\",\"messages\":[],\"max_tokens\":0}|max_tokens|at least 1",
        "{\"model\":\"m\",\"messages\":[],\"temperature\":\"hot\"}|temperature|number",
        "{\"model\":\"m\",\"messages\":[],\"metadata\":{\"a\":1}}|metadata.a|string",
        "{\"model\":7,\"messages\":[]}|model|string",
        "{\"model\":\"m\",\"messages\":{}}|messages|array",
    })
    void rejectsWithTheParamAtFault(String json, String param, String message) {
        assertThatThrownBy(() -> parse(json, new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo(param);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @Test
    void rejectsABodyThatIsNotAnObjectOrNotJson() {
        assertThatThrownBy(() -> parse("[1]", new Collected())).isInstanceOf(FormatException.class)
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> parse("{\"model\":", new Collected())).isInstanceOf(FormatException.class)
                .hasMessageStartingWith("invalid JSON");
    }

    @Test
    void keepsAPlainDataUrlOrAnotherSchemeAsAUrl() {
        assertThat(OpenAiChatRequests.image("data:text/plain,hello", null)).isEqualTo(ContentBlock.Image.url("data:text/plain,hello"));
        assertThat(OpenAiChatRequests.image("data:image/png;charset=x;base64,AAA", "auto"))
                .isEqualTo(new ContentBlock.Image("image/png", "AAA", null, "auto", null));
    }

    private static ChatRequest parse(String json, Collected warnings) {
        byte[] b = utf8(json);
        return OpenAiChatRequests.parse(b, 0, b.length, warnings);
    }

    /** Reads one top-level string field of a JSON document. */
    static final class TestJsonAccess {
        static String field(String json, String name) {
            return dev.tollgate.formats.TestJson.tree(json).path(name).asText();
        }
    }
}
