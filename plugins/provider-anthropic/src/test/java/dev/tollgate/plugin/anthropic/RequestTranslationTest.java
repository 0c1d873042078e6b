package dev.tollgate.plugin.anthropic;

import static dev.tollgate.plugin.anthropic.TestSupport.UPSTREAM_MODEL;
import static dev.tollgate.plugin.anthropic.TestSupport.adapter;
import static dev.tollgate.plugin.anthropic.TestSupport.fixture;
import static dev.tollgate.plugin.anthropic.TestSupport.openAi;
import static dev.tollgate.plugin.anthropic.TestSupport.translated;
import static dev.tollgate.plugin.anthropic.TestSupport.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.catalog.Capability;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Reasoning;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI-format clients: the Anthropic request the adapter writes for them. */
class RequestTranslationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelInfo SONNET = ModelInfo.builder(UPSTREAM_MODEL).maxOutputTokens(64000)
            .capability(Capability.TOOLS).capability(Capability.REASONING).build();
    private static final String LONG = "Answer carefully. ".repeat(300);

    private static JsonNode sent(Map<String, ?> config, ProviderRequest request) throws IOException {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        TestSupport.answer(adapter(config), request, http);
        return JSON.readTree(http.onlyRequest().body().utf8());
    }

    private static JsonNode sent(String openAiBody) throws IOException {
        return sent(withKey(), translated(openAi(openAiBody), SONNET));
    }

    private static String chat(String extra) {
        return "{\"model\":\"claude-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}";
    }

    @Test
    void writesMessagesSystemImagesToolsToolChoiceStopAndSampling() throws IOException {
        JsonNode r = sent(fixture("openai.request.json"));

        assertThat(r.path("model").asText()).isEqualTo(UPSTREAM_MODEL);
        assertThat(r.path("max_tokens").asInt()).isEqualTo(1024);
        assertThat(r.path("system").asText()).isEqualTo("You are a helpful assistant.");
        JsonNode content = r.path("messages").path(0).path("content");
        assertThat(r.path("messages").path(0).path("role").asText()).isEqualTo("user");
        assertThat(content.path(0).path("text").asText()).startsWith("What is in these images");
        assertThat(content.path(1).path("source").path("type").asText()).isEqualTo("base64");
        assertThat(content.path(1).path("source").path("media_type").asText()).isEqualTo("image/png");
        assertThat(content.path(1).path("source").path("data").asText()).startsWith("iVBORw0KGgo");
        assertThat(content.path(2).path("source").path("type").asText()).isEqualTo("url");
        assertThat(content.path(2).path("source").path("url").asText()).isEqualTo("https://upload.example.org/eiffel.jpg");
        assertThat(r.path("tools").path(0).path("name").asText()).isEqualTo("get_weather");
        assertThat(r.path("tools").path(0).path("input_schema").path("required").path(0).asText()).isEqualTo("location");
        assertThat(r.path("tool_choice")).isEqualTo(JSON.readTree("{\"type\":\"tool\",\"name\":\"get_weather\"}"));
        assertThat(r.path("stop_sequences")).isEqualTo(JSON.readTree("[\"\\n\\nHuman:\",\"END\"]"));
        assertThat(r.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(r.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(r.has("stream")).isFalse();
        assertThat(r.has("thinking")).isFalse();
    }

    @Test
    void aToolTurnBecomesToolUseAndToolResultBlocks() throws IOException {
        JsonNode r = sent(chat("").replace("[{\"role\":\"user\",\"content\":\"hi\"}]", """
                [{"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"18 C"}]"""));

        JsonNode messages = r.path("messages");
        assertThat(messages.path(1).path("content").path(0).path("type").asText()).isEqualTo("tool_use");
        assertThat(messages.path(1).path("content").path(0).path("input")).isEqualTo(JSON.readTree("{\"location\":\"Paris\"}"));
        assertThat(messages.path(2).path("role").asText()).isEqualTo("user");
        assertThat(messages.path(2).path("content").path(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(messages.path(2).path("content").path(0).path("tool_use_id").asText()).isEqualTo("call_1");
    }

    @Test
    void maxTokensDefaultsToTheCatalogsMaxOutputThenTheConfigThenAFallback() throws IOException {
        ChatRequest noLimit = openAi(chat(""));
        assertThat(sent(withKey(), translated(noLimit, SONNET)).path("max_tokens").asInt()).isEqualTo(64000);
        assertThat(sent(withKey("default_max_tokens", 2000), translated(noLimit, SONNET)).path("max_tokens").asInt())
                .isEqualTo(2000);
        assertThat(sent(withKey(), translated(noLimit, null)).path("max_tokens").asInt()).isEqualTo(4096);
    }

    @ParameterizedTest
    @CsvSource({"minimal, 1024", "low, 2048", "medium, 8192", "high, 16384"})
    void aReasoningEffortEnablesThinkingWithTheDocumentedBudget(String effort, int budget) throws IOException {
        JsonNode r = sent(chat(",\"reasoning_effort\":\"" + effort + "\""));

        assertThat(r.path("thinking")).isEqualTo(JSON.readTree("{\"type\":\"enabled\",\"budget_tokens\":" + budget + "}"));
        assertThat(r.has("output_config")).as("no effort parameter for models that do not take it").isFalse();
        assertThat(r.path("max_tokens").asInt()).isEqualTo(64000);
    }

    @Test
    void thinkingLeavesRoomInMaxTokensAndDropsSamplingAnthropicRefusesWithIt() throws IOException {
        JsonNode shrunk = sent(chat(",\"reasoning_effort\":\"high\",\"max_completion_tokens\":5000,\"temperature\":0.3,\"top_p\":0.5"));
        assertThat(shrunk.path("max_tokens").asInt()).isEqualTo(5000);
        assertThat(shrunk.path("thinking").path("budget_tokens").asInt()).isEqualTo(4999);
        assertThat(shrunk.has("temperature")).isFalse();
        assertThat(shrunk.has("top_p")).isFalse();

        JsonNode tooSmall = sent(chat(",\"reasoning_effort\":\"low\",\"max_completion_tokens\":800"));
        assertThat(tooSmall.has("thinking")).isFalse();

        JsonNode raised = sent(withKey("default_max_tokens", 1000), translated(openAi(chat(",\"reasoning_effort\":\"medium\"")), SONNET));
        assertThat(raised.path("max_tokens").asInt()).isEqualTo(9192);
        assertThat(raised.path("thinking").path("budget_tokens").asInt()).isEqualTo(8192);
    }

    @Test
    void thinkingStaysOffWhenAToolIsForcedTheModelCannotReasonOrTheLastToolTurnIsUnsigned() throws IOException {
        assertThat(sent(chat(",\"reasoning_effort\":\"low\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                + "\"tool_choice\":\"required\"")).has("thinking")).isFalse();

        ModelInfo haiku35 = ModelInfo.builder("claude-3-5-haiku-20241022").capability(Capability.TOOLS).build();
        assertThat(sent(withKey(), translated(openAi(chat(",\"reasoning_effort\":\"low\"")), haiku35)).has("thinking")).isFalse();

        String unsigned = chat(",\"reasoning_effort\":\"low\"").replace("[{\"role\":\"user\",\"content\":\"hi\"}]", """
                [{"role":"user","content":"Weather?"},
                 {"role":"assistant","reasoning_content":"call it","tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"f","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"18 C"}]""");
        JsonNode r = sent(unsigned);
        assertThat(r.has("thinking")).isFalse();
        assertThat(r.path("messages").path(1).path("content").path(0).path("type").asText()).isEqualTo("tool_use");
    }

    @Test
    void aSignedThinkingBlockGoesBackWithItsSignatureAndKeepsThinkingOn() throws IOException {
        ChatRequest chat = ChatRequest.builder().model("claude-sonnet")
                .reasoning(new Reasoning(null, 4000))
                .addMessage(Message.user("Weather?"))
                .addMessage(Message.of(Role.ASSISTANT, List.of(new ContentBlock.Thinking("I should call f.", "EqQBsig=="),
                        new ContentBlock.RedactedThinking("EmwKAhgB"), new ContentBlock.ToolUse("toolu_1", "f", "{}"))))
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.ToolResult.text("toolu_1", "18 C"))))
                .build();
        JsonNode r = sent(withKey(), translated(chat, SONNET));

        JsonNode assistant = r.path("messages").path(1).path("content");
        assertThat(assistant.path(0)).isEqualTo(JSON.readTree(
                "{\"type\":\"thinking\",\"thinking\":\"I should call f.\",\"signature\":\"EqQBsig==\"}"));
        assertThat(assistant.path(1)).isEqualTo(JSON.readTree("{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgB\"}"));
        assertThat(r.path("thinking").path("budget_tokens").asInt()).isEqualTo(4000);
    }

    @Test
    void autoCachingMarksALongSystemPromptAndLongToolsButNothingShort() throws IOException {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"description\":\"" + LONG + "\"}},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"b\"}}]";
        JsonNode r = sent(chat(tools).replace("[{\"role\":\"user\"", "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\""));
        assertThat(r.path("tools").path(0).has("cache_control")).isFalse();
        assertThat(r.path("tools").path(1).path("cache_control")).isEqualTo(JSON.readTree("{\"type\":\"ephemeral\"}"));
        assertThat(r.path("system").path(0).path("cache_control")).isEqualTo(JSON.readTree("{\"type\":\"ephemeral\"}"));
        assertThat(r.path("system").path(0).path("text").asText()).isEqualTo("Be brief.");

        JsonNode longSystem = sent(chat("").replace("[{\"role\":\"user\"",
                "[{\"role\":\"system\",\"content\":\"" + LONG + "\"},{\"role\":\"user\""));
        assertThat(longSystem.path("system").path(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");

        JsonNode shortPrompt = sent(chat("").replace("[{\"role\":\"user\"",
                "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\""));
        assertThat(shortPrompt.toString()).doesNotContain("cache_control");
    }

    @Test
    void cachingOffOrAHigherMinimumPlacesNoBreakpoint() throws IOException {
        ChatRequest chat = openAi(chat("").replace("[{\"role\":\"user\"", "[{\"role\":\"system\",\"content\":\"" + LONG + "\"},{\"role\":\"user\""));
        assertThat(sent(withKey("prompt_caching", "off"), translated(chat, SONNET)).toString()).doesNotContain("cache_control");
        assertThat(sent(withKey("cache_min_tokens", 5000), translated(chat, SONNET)).toString()).doesNotContain("cache_control");
    }

    @Test
    void aClientsOwnBreakpointIsKeptAndNoOtherIsAdded() throws IOException {
        ChatRequest chat = ChatRequest.builder().model("claude-sonnet").addSystem(LONG)
                .addMessage(Message.of(Role.USER, List.of(new ContentBlock.Text("hi", RawJson.of(
                        "{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"))))).build();
        JsonNode r = sent(withKey(), translated(chat, SONNET));

        assertThat(r.path("system").isTextual()).isTrue();
        assertThat(r.path("messages").path(0).path("content").path(0).path("cache_control"))
                .isEqualTo(JSON.readTree("{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"));
    }

    @Test
    void theMinimumCacheableSizeFollowsTheModelFamily() {
        assertThat(Translation.minimumCacheable("claude-sonnet-4-5-20250929")).isEqualTo(1024);
        assertThat(Translation.minimumCacheable("claude-opus-4-1")).isEqualTo(1024);
        assertThat(Translation.minimumCacheable("claude-3-5-haiku-20241022")).isEqualTo(2048);
        assertThat(Translation.minimumCacheable("claude-haiku-4-5")).isEqualTo(4096);
    }

    @Test
    void streamsAskForAStream() throws IOException {
        ChatRequest chat = openAi(chat(",\"stream\":true"));
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(TestSupport.split(fixture("text.stream.sse"), 1 << 20)));
        TestSupport.stream(adapter(), translated(chat, SONNET), http);

        assertThat(JSON.readTree(http.onlyRequest().body().utf8()).path("stream").asBoolean()).isTrue();
        assertThat(http.onlyRequest().headers().first("accept")).contains("text/event-stream");
    }
}
