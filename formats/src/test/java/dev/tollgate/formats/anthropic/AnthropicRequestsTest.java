package dev.tollgate.formats.anthropic;

import static dev.tollgate.formats.TestJson.assertJsonEquals;
import static dev.tollgate.formats.TestJson.assertSameRequest;
import static dev.tollgate.formats.TestJson.text;
import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.formats.openai.OpenAiChatRequests;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicRequestsTest {

    static final RawJson EPHEMERAL = RawJson.of("{\"type\": \"ephemeral\"}");

    /** A request in the shape of Anthropic's Messages reference, using every mapped field. */
    static final String FULL = """
            {
              "model": "claude-sonnet-4-5",
              "max_tokens": 2048,
              "system": [{"type": "text", "text": "You are a travel agent."},
                         {"type": "text", "text": "Long policy text", "cache_control": {"type": "ephemeral"}}],
              "messages": [
                {"role": "user", "content": [
                  {"type": "text", "text": "Weather where this is?"},
                  {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}},
                  {"type": "image", "source": {"type": "url", "url": "https://example.com/eiffel.jpg"}, "cache_control": {"type": "ephemeral"}},
                  {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Itinerary"}, "title": "Trip"}
                ]},
                {"role": "assistant", "content": [
                  {"type": "thinking", "thinking": "It is Paris.", "signature": "EqQBCgIYAhIM"},
                  {"type": "redacted_thinking", "data": "EmwKAhgBEgy"},
                  {"type": "text", "text": "Checking."},
                  {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": { "city" : "Paris" }}
                ]},
                {"role": "user", "content": [
                  {"type": "tool_result", "tool_use_id": "toolu_01", "content": "15 degrees"},
                  {"type": "tool_result", "tool_use_id": "toolu_02", "is_error": true, "content": [
                    {"type": "text", "text": "failed"}, {"type": "image", "source": {"type": "url", "url": "https://e/x.png"}}]}
                ]},
                {"role": "assistant", "content": "Anything else?"}
              ],
              "tools": [{"name": "get_weather", "description": "Weather by city",
                         "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                         "cache_control": {"type": "ephemeral"}}],
              "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
              "stop_sequences": ["\\n\\nHuman:"],
              "temperature": 1,
              "top_p": 0.95,
              "top_k": 40,
              "stream": true,
              "metadata": {"user_id": "user-42"},
              "thinking": {"type": "enabled", "budget_tokens": 1024},
              "output_config": {"effort": "medium", "format": {"type": "json_schema", "schema": {"type": "object"}}},
              "service_tier": "auto",
              "container" :  "ctr_1"
            }""";

    @Test
    void parsesEveryMappedField() {
        Collected warnings = new Collected();
        ChatRequest r = parse(FULL, warnings);
        assertThat(r.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(r.maxTokens()).contains(2048);
        assertThat(r.system()).containsExactly(ContentBlock.Text.of("You are a travel agent."),
                new ContentBlock.Text("Long policy text", EPHEMERAL));
        assertThat(r.messages()).containsExactly(
                Message.of(Role.USER, List.of(
                        ContentBlock.Text.of("Weather where this is?"),
                        ContentBlock.Image.base64("image/jpeg", "/9j/4AAQ"),
                        new ContentBlock.Image(null, null, "https://example.com/eiffel.jpg", null, EPHEMERAL),
                        new ContentBlock.Opaque(WireFormat.ANTHROPIC_MESSAGES, "document", RawJson.of(
                                "{\"type\": \"document\", \"source\": {\"type\": \"text\", \"media_type\": \"text/plain\", "
                                        + "\"data\": \"Itinerary\"}, \"title\": \"Trip\"}")))),
                Message.of(Role.ASSISTANT, List.of(
                        new ContentBlock.Thinking("It is Paris.", "EqQBCgIYAhIM"),
                        new ContentBlock.RedactedThinking("EmwKAhgBEgy"),
                        ContentBlock.Text.of("Checking."),
                        new ContentBlock.ToolUse("toolu_01", "get_weather", "{ \"city\" : \"Paris\" }"))),
                Message.of(Role.USER, List.of(
                        ContentBlock.ToolResult.text("toolu_01", "15 degrees"),
                        new ContentBlock.ToolResult("toolu_02", List.of(ContentBlock.Text.of("failed"),
                                ContentBlock.Image.url("https://e/x.png")), true, null))),
                Message.assistant("Anything else?"));
        assertThat(r.tools()).containsExactly(new Tool("get_weather", "Weather by city", RawJson.of(
                "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}"),
                null, EPHEMERAL));
        assertThat(r.toolChoice()).contains(ToolChoice.REQUIRED);
        assertThat(r.parallelToolCalls()).contains(false);
        assertThat(r.stop()).containsExactly("\n\nHuman:");
        assertThat(r.temperature()).contains(1.0);
        assertThat(r.topP()).contains(0.95);
        assertThat(r.topK()).contains(40);
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
        assertThat(r.user()).contains("user-42");
        assertThat(r.reasoning()).contains(new Reasoning("medium", 1024));
        assertThat(r.responseFormat()).contains(ResponseFormat.jsonSchema(null, RawJson.of("{\"type\": \"object\"}"), null));
        assertThat(r.extraFormat()).isEqualTo(WireFormat.ANTHROPIC_MESSAGES);
        assertThat(r.extra()).containsExactly(Map.entry("service_tier", RawJson.of("\"auto\"")),
                Map.entry("container", RawJson.of("\"ctr_1\"")));
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void writesBackWhatItParsed() {
        ChatRequest r = parse(FULL, new Collected());
        Collected warnings = new Collected();
        String out = text(AnthropicRequests.write(r, "claude-sonnet-4-5", true, 1000, warnings));
        assertJsonEquals(out, FULL);
        assertThat(out).contains("\"container\":\"ctr_1\"", "\"input\":{ \"city\" : \"Paris\" }");
        assertThat(warnings.all).isEmpty();
    }

    @Test
    void roundTripsCanonicalThroughAnthropic() {
        ChatRequest canonical = ChatRequest.builder().model("claude")
                .system(List.of(ContentBlock.Text.of("sys")))
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.Text.of("q"), ContentBlock.Image.base64("image/png", "iVBO"))))
                .addMessage(Message.of(Role.ASSISTANT, List.of(new ContentBlock.Thinking("t", "s"),
                        new ContentBlock.ToolUse("c1", "f", "{\"a\":[1,2]}"))))
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.ToolResult.text("c1", "r"), ContentBlock.Text.of("more"))))
                .tools(List.of(new Tool("f", "does f", RawJson.of("{\"type\":\"object\"}"), true, EPHEMERAL)))
                .toolChoice(ToolChoice.tool("f")).parallelToolCalls(false)
                .stop(List.of("x")).temperature(0.5).topP(0.9).topK(3).maxTokens(99).user("u")
                .reasoning(new Reasoning(null, 2048)).stream(true).includeUsage(true)
                .extra(WireFormat.ANTHROPIC_MESSAGES, Map.of("service_tier", RawJson.of("\"standard_only\"")))
                .build();
        byte[] wire = AnthropicRequests.write(canonical, "claude", true, 1000, new Collected());
        assertSameRequest(AnthropicRequests.parse(wire, 0, wire.length, new Collected()), canonical);
    }

    @Test
    void translatesAnOpenAiRequestMergingRolesAndMovingSystemMessages() {
        String openAi = """
                {"model":"gpt","messages":[
                  {"role":"system","content":"Lead."},
                  {"role":"user","content":"Weather and time?"},
                  {"role":"assistant","content":null,"reasoning_content":"unsigned","tool_calls":[
                    {"id":"c1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}},
                    {"id":"c2","type":"function","function":{"name":"time","arguments":""}},
                    {"id":"c3","type":"function","function":{"name":"bad","arguments":"{oops"}}]},
                  {"role":"tool","tool_call_id":"c1","content":"5C"},
                  {"role":"tool","tool_call_id":"c2","content":"noon"},
                  {"role":"user","content":"And tomorrow?"},
                  {"role":"developer","content":"Mid."},
                  {"role":"user","content":"Please."}
                ],"max_tokens":300,"seed":3,"n":2,"stream":true}""";
        byte[] b = utf8(openAi);
        ChatRequest r = OpenAiChatRequests.parse(b, 0, b.length, new Collected());
        Collected warnings = new Collected();
        String out = text(AnthropicRequests.write(r, "claude-haiku", true, 1000, warnings));
        assertJsonEquals(out, """
                {"model":"claude-haiku","max_tokens":300,
                 "system":[{"type":"text","text":"Lead."},{"type":"text","text":"Mid."}],
                 "messages":[
                  {"role":"user","content":"Weather and time?"},
                  {"role":"assistant","content":[
                    {"type":"tool_use","id":"c1","name":"weather","input":{"city":"Oslo"}},
                    {"type":"tool_use","id":"c2","name":"time","input":{}},
                    {"type":"tool_use","id":"c3","name":"bad","input":"{oops"}]},
                  {"role":"user","content":[
                    {"type":"tool_result","tool_use_id":"c1","content":"5C"},
                    {"type":"tool_result","tool_use_id":"c2","content":"noon"},
                    {"type":"text","text":"And tomorrow?"},
                    {"type":"text","text":"Please."}]}],
                 "stream":true}""");
        assertThat(warnings.all).containsExactlyInAnyOrder(
                "system message moved into system: messages[4]",
                "dropped thinking without a signature (Anthropic requires one): messages[1].content[0]",
                "tool arguments are not JSON; sent as a JSON string: messages[1].content[3]",
                "dropped field Anthropic has no equivalent for: seed",
                "dropped OPENAI_CHAT field: n");
    }

    @Test
    void putsToolResultsFirstInAUserTurn() {
        ChatRequest r = ChatRequest.builder().model("m")
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.Text.of("here"), ContentBlock.ToolResult.text("c", "r"))))
                .build();
        String out = text(AnthropicRequests.write(r, "m", false, 10, new Collected()));
        assertJsonEquals(out, """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
                  {"type":"tool_result","tool_use_id":"c","content":"r"},{"type":"text","text":"here"}]}]}""");
    }

    @Test
    void mapsAnEffortToOutputConfigAndJsonObjectIsReported() {
        ChatRequest r = ChatRequest.builder().model("m").addMessage(Message.user("q")).reasoning(new Reasoning("high", null))
                .responseFormat(ResponseFormat.JSON_OBJECT).metadata(Map.of("k", "v")).build();
        Collected warnings = new Collected();
        String out = text(AnthropicRequests.write(r, "m", false, 10, warnings));
        assertJsonEquals(out, """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"output_config":{"effort":"high"}}""");
        assertThat(warnings.all).containsExactlyInAnyOrder(
                "dropped response format Anthropic has no equivalent for: json_object",
                "dropped field Anthropic has no equivalent for: metadata");
    }

    @Test
    void keepsAnUnknownThinkingTypeAsAnAnthropicField() {
        Collected warnings = new Collected();
        ChatRequest r = parse("""
                {"model":"m","messages":[],"thinking":{"type":"adaptive"}}""", warnings);
        assertThat(r.reasoning()).isEmpty();
        assertThat(r.extra()).containsExactly(Map.entry("thinking", RawJson.of("{\"type\":\"adaptive\"}")));
        assertThat(warnings.all).containsExactly("thinking kept as an Anthropic field: adaptive");
        String out = text(AnthropicRequests.write(r, "m", false, 10, new Collected()));
        assertThat(out).contains("\"thinking\":{\"type\":\"adaptive\"}");
    }

    @Test
    void keepsAToolResultWithADocumentWholeAsOpaque() {
        ChatRequest r = parse("""
                {"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t",
                  "content":[{"type":"search_result","source":"s","title":"x","content":[]}]}]}]}""", new Collected());
        ContentBlock b = r.messages().get(0).content().get(0);
        assertThat(b).isInstanceOf(ContentBlock.Opaque.class);
        assertThat(((ContentBlock.Opaque) b).type()).isEqualTo("tool_result");
        assertThatThrownBy(() -> OpenAiChatRequests.write(r, "gpt", dev.tollgate.formats.openai.OpenAiWriteOptions.openAi(false),
                new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> assertThat(e.param()).isEqualTo("messages[0].content[0]"));
    }

    @Test
    void refusesAnOpaqueBlockOfAnotherFormat() {
        ChatRequest r = ChatRequest.builder().model("m").addMessage(Message.of(Role.USER, List.of(
                new ContentBlock.Opaque(WireFormat.OPENAI_CHAT, "input_audio", RawJson.of("{}"))))).build();
        assertThatThrownBy(() -> AnthropicRequests.write(r, "m", false, 10, new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo("messages[0].content[0]");
                    assertThat(e.getMessage()).contains("'input_audio'");
                });
    }

    @Test
    void reportsDroppedImageDetailAndMessageName() {
        ChatRequest r = ChatRequest.builder().model("m").addMessage(new Message(Role.USER, List.of(
                new ContentBlock.Image(null, null, "https://e/i.png", "low", null)), "ann")).build();
        Collected warnings = new Collected();
        AnthropicRequests.write(r, "m", false, 10, warnings);
        assertThat(warnings.all).containsExactly("dropped message name: messages[0]", "dropped image detail: messages[0].content[0]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}|messages[0].role|unknown role 'system'",
        "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}|messages[0].role|required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}|messages[0].content|required",
        "{\"model\":\"m\",\"messages\":[],\"tools\":[{\"name\":\"f\",\"input_schema\":{}},{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}|tools[1].type|'web_search_20250305'",
        "{\"model\":\"m\",\"messages\":[],\"tool_choice\":{\"type\":\"tool\"}}|tool_choice.name|required",
        "{\"model\":\"m\",\"messages\":[],\"tool_choice\":{\"type\":\"maybe\"}}|tool_choice.type|maybe",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]}]}|messages[0].content[0].type|required",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"name\":\"f\",\"input\":{}}]}]}|messages[0].content[0].id|required",
        "{\"model\":\"m\",\"messages\":[],\"system\":[{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"u\"}}]}|system[0].type|image",
        "{\"model\":\"m\",\"messages\":[],\"max_tokens\":0}|max_tokens|at least 1",
        "{\"model\":\"m\",\"messages\":[],\"thinking\":{\"type\":\"enabled\"}}|thinking.budget_tokens|required",
        "{\"model\":\"m\",\"messages\":[],\"output_config\":{\"format\":{\"type\":\"xml\"}}}|output_config.format.type|xml",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":5}]}]}|messages[0].content[0].text|missing or has the wrong type",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":[{\"type\":\"text\"}]}]}]}|messages[0].content[0].content[0].text|missing or has the wrong type",
        "{\"messages\":[]}|model|required",
        "{\"model\":\"m\"}|messages|required",
    })
    void rejectsWithTheParamAtFault(String json, String param, String message) {
        assertThatThrownBy(() -> parse(json, new Collected()))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.param()).isEqualTo(param);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @Test
    void reportsDroppedFieldsOfKnownBlocks() {
        Collected warnings = new Collected();
        parse("""
                {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a","citations":[{"type":"char_location"}]}]}]}""",
                warnings);
        assertThat(warnings.all).containsExactly("dropped field: messages[0].content[0].citations");
    }

    private static ChatRequest parse(String json, Collected warnings) {
        byte[] b = utf8(json);
        return AnthropicRequests.parse(b, 0, b.length, warnings);
    }
}
