package dev.tollgate.plugin.anthropic;

import static dev.tollgate.plugin.anthropic.TestSupport.NO_WARNINGS;
import static dev.tollgate.plugin.anthropic.TestSupport.adapter;
import static dev.tollgate.plugin.anthropic.TestSupport.fixture;
import static dev.tollgate.plugin.anthropic.TestSupport.openAi;
import static dev.tollgate.plugin.anthropic.TestSupport.translated;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.formats.openai.OpenAiChatResponses;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Anthropic's answers read into the canonical model, and as the kernel then renders them for an OpenAI client. */
class ResponseTranslationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"claude-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static ChatResponse answer(String body) {
        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(), translated(openAi(CHAT)),
                ScriptedUpstreamHttp.always(Reply.json(200, body)));
        assertThat(sink.kind()).as("answer kind, error %s", sink.error()).isEqualTo(Kind.TRANSLATED);
        return sink.response();
    }

    /** What an OpenAI client receives for {@code response}: the kernel's codec is the formats module's writer. */
    private static JsonNode asOpenAi(ChatResponse response) throws IOException {
        return JSON.readTree(OpenAiChatResponses.write(response, "claude-sonnet", NO_WARNINGS));
    }

    @Test
    void textAndCacheUsageMapToTheCanonicalCountsTheKernelPrices() throws IOException {
        ChatResponse r = answer(fixture("text.response.json"));

        assertThat(r.text()).isEqualTo("Bonjour ! Comment puis-je vous aider aujourd'hui ?");
        assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(r.usage()).contains(Usage.builder().inputTokens(2025).cachedInputTokens(1800).cacheWriteTokens(200)
                .outputTokens(15).build());
        JsonNode openAi = asOpenAi(r);
        assertThat(openAi.path("usage").path("prompt_tokens").asLong()).isEqualTo(2025);
        assertThat(openAi.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(1800);
        assertThat(openAi.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void toolUseBlocksBecomeOpenAiToolCalls() throws IOException {
        ChatResponse r = answer(fixture("tool_use.response.json"));

        assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(r.content()).filteredOn(b -> b instanceof ContentBlock.ToolUse).hasSize(2);
        JsonNode message = asOpenAi(r).path("choices").path(0);
        assertThat(message.path("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode calls = message.path("message").path("tool_calls");
        assertThat(calls.path(0).path("id").asText()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
        assertThat(calls.path(0).path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(JSON.readTree(calls.path(1).path("function").path("arguments").asText()))
                .isEqualTo(JSON.readTree("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"));
    }

    @Test
    void thinkingKeepsItsSignatureAndRedactedThinkingItsData() {
        ChatResponse r = answer(fixture("thinking.response.json"));

        assertThat(r.content().get(0)).isEqualTo(new ContentBlock.Thinking(
                "The user asks for 27 * 453. 27 * 453 = 27 * 400 + 27 * 53 = 10800 + 1431 = 12231.",
                "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds4D2UWKxY8f8yu0MNEJ9tRD0pM5BfD+yKCaDW8Ag4cBnlfPqzRHqVOo3GHwSIg0ZZrQ5iIZfE/dQxKMI"));
        assertThat(r.content().get(1)).isInstanceOf(ContentBlock.RedactedThinking.class);
        assertThat(r.text()).isEqualTo("27 × 453 = 12,231.");
    }

    @ParameterizedTest
    @CsvSource({
            "end_turn, END_TURN, stop",
            "max_tokens, MAX_TOKENS, length",
            "tool_use, TOOL_USE, tool_calls",
            "stop_sequence, STOP_SEQUENCE, stop",
            "refusal, REFUSAL, content_filter",
            "pause_turn, PAUSE, stop"})
    void stopReasonsMapToCanonicalAndToOpenAiFinishReasons(String anthropic, StopReason canonical, String openAi) throws IOException {
        ChatResponse r = answer(fixture("text.response.json").replace("\"end_turn\"", "\"" + anthropic + "\""));

        assertThat(r.stopReason()).isEqualTo(canonical);
        assertThat(asOpenAi(r).path("choices").path(0).path("finish_reason").asText()).isEqualTo(openAi);
    }

    @Test
    void anErrorDocumentWithStatus200IsTheProvidersError() {
        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(), translated(openAi(CHAT)),
                ScriptedUpstreamHttp.always(Reply.json(200, fixture("error.overloaded_error.json"))));

        assertThat(sink.error().code()).isEqualTo("upstream_overloaded");
    }

    @Test
    void garbageIsAMalformedAnswer() {
        RecordingResponseSink<ChatResponse> sink = TestSupport.answer(adapter(), translated(openAi(CHAT)),
                ScriptedUpstreamHttp.always(Reply.json(200, "{\"type\":\"message\",\"content\":[{\"type\":")));

        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }
}
