package dev.tollgate.formats.openai;

import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.ResponseFormat;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.ToolChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponsesRequestsTest {

    static ChatRequest parse(String json) {
        byte[] b = utf8(json);
        return ResponsesRequests.parse(b, 0, b.length, new Collected());
    }

    @Test
    void aStringInputIsOneUserMessageAndInstructionsAreTheSystemPrompt() {
        ChatRequest r = parse("""
                {"model":"m","instructions":"Be brief.","input":"Hello","max_output_tokens":64,"stream":true,
                 "user":"u1","metadata":{"k":"v"},"reasoning":{"effort":"low"},"temperature":0.5,"store":false}""");
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.system()).containsExactly(ContentBlock.Text.of("Be brief."));
        assertThat(r.messages()).containsExactly(Message.user("Hello"));
        assertThat(r.maxTokens()).contains(64);
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
        assertThat(r.user()).contains("u1");
        assertThat(r.metadata()).containsEntry("k", "v");
        assertThat(r.reasoning().orElseThrow().effort()).isEqualTo("low");
        assertThat(r.temperature()).contains(0.5);
    }

    @Test
    void itemsCarryMessagesImagesAndAFunctionCallRoundTrip() {
        ChatRequest r = parse("""
                {"model":"m","input":[
                  {"role":"developer","content":"Use tools."},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather?"},
                     {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"}]},
                  {"type":"function_call","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                  {"type":"function_call","call_id":"call_2","name":"time","arguments":"{}"},
                  {"type":"function_call_output","call_id":"call_1","output":"sunny"},
                  {"type":"function_call_output","call_id":"call_2","output":"noon"},
                  {"role":"assistant","content":[{"type":"output_text","text":"Sunny at noon."}]}
                ],
                 "tools":[{"type":"function","name":"weather","description":"d","parameters":{"type":"object"},"strict":true}],
                 "tool_choice":{"type":"function","name":"weather"},
                 "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}}}""");
        assertThat(r.system()).containsExactly(ContentBlock.Text.of("Use tools."));
        assertThat(r.messages()).hasSize(4);
        Message user = r.messages().get(0);
        assertThat(user.role()).isEqualTo(Role.USER);
        assertThat(user.content().get(1)).isEqualTo(new ContentBlock.Image("image/png", "AAAA", null, "low", null));
        assertThat(r.messages().get(1)).isEqualTo(Message.of(Role.ASSISTANT, java.util.List.of(
                new ContentBlock.ToolUse("call_1", "weather", "{\"city\":\"Paris\"}"), new ContentBlock.ToolUse("call_2", "time", "{}"))));
        assertThat(r.messages().get(2)).isEqualTo(Message.of(Role.USER, java.util.List.of(
                ContentBlock.ToolResult.text("call_1", "sunny"), ContentBlock.ToolResult.text("call_2", "noon"))));
        assertThat(r.messages().get(3)).isEqualTo(Message.assistant("Sunny at noon."));
        assertThat(r.tools()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("weather");
            assertThat(t.parameters().json()).isEqualTo("{\"type\":\"object\"}");
            assertThat(t.strict()).isTrue();
        });
        assertThat(r.toolChoice()).contains(ToolChoice.tool("weather"));
        ResponseFormat format = r.responseFormat().orElseThrow();
        assertThat(format.type()).isEqualTo(ResponseFormat.Type.JSON_SCHEMA);
        assertThat(format.name()).isEqualTo("out");
        assertThat(format.schema().json()).isEqualTo("{\"type\":\"object\"}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\"}|input",
        "{\"input\":\"hi\"}|model",
        "{\"model\":\"m\",\"input\":[{\"type\":\"computer_call\"}]}|input[0].type",
        "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}]}|input[0].content[0].type",
        "{\"model\":\"m\",\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}|input[0].role",
        "{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}|input[0].call_id",
        "{\"model\":\"m\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}|tools[0].type",
        "{\"model\":\"m\",\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}|previous_response_id",
        "{\"model\":\"m\",\"input\":\"hi\",\"conversation\":\"conv_1\"}|conversation",
        "{\"model\":\"m\",\"input\":\"hi\",\"background\":true}|background",
        "{\"model\":\"m\",\"input\":\"hi\",\"prompt\":{\"id\":\"pmpt_1\"}}|prompt",
        "{\"model\":\"m\",\"input\":\"hi\",\"instructions\":7}|instructions",
        "{\"model\":\"m\",\"input\":\"hi\",\"tool_choice\":\"sometimes\"}|tool_choice",
        "{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":0}|max_output_tokens",
    })
    void whatCannotBeCarriedIsRefusedWithTheFieldNamed(String json, String param) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(FormatException.class,
                e -> assertThat(e.param()).isEqualTo(param));
    }

    @Test
    void anExplicitlyForegroundOrUnsetStateFieldIsAccepted() {
        assertThat(parse("{\"model\":\"m\",\"input\":\"hi\",\"background\":false,\"conversation\":null,\"prompt\":null}")
                .messages()).hasSize(1);
    }
}
