package dev.tollgate.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vercel AI SDK's default OpenAI provider, {@code openai(model)}, which speaks the Responses API,
 * against the gateway with only its base URL changed, in v6 ({@code ai} 6 with {@code @ai-sdk/openai}
 * 3) and v7 ({@code ai} 7 with {@code @ai-sdk/openai} 4): an answer, a stream, a tool loop with and
 * without stored responses, and the typed error of an unknown model. The checks run in
 * {@code src/test/js/vercel-ai.mjs}; this test asserts what they report.
 */
class VercelAiSdkTest extends JsClientTest {

    @ParameterizedTest
    @ValueSource(strings = {"v6", "v7"})
    void theDefaultProviderWorksWithOnlyTheBaseUrlChanged(String version) throws Exception {
        List<JsonNode> reports = JsClients.node("vercel-ai.mjs", version, gateway.baseUrl(), "mock");

        JsonNode generated = JsClients.check(reports, "generate").get(0);
        assertThat(generated.path("text").asText()).isNotBlank();
        assertThat(generated.path("inputTokens").asInt()).isPositive();
        assertThat(generated.path("finishReason").asText()).isEqualTo("stop");

        assertThat(JsClients.check(reports, "stream").get(0).path("outputTokens").asInt()).isPositive();

        List<JsonNode> tools = JsClients.check(reports, "tools");
        assertThat(tools).hasSize(2);
        for (JsonNode t : tools) {
            assertThat(t.path("steps").asInt()).as("store %s", t.path("store")).isEqualTo(2);
            assertThat(t.path("text").asText()).startsWith("The tool returned: sunny in");
        }

        JsonNode conversation = JsClients.check(reports, "conversation").get(0);
        assertThat(conversation.path("inputTokens").asInt()).as("the second turn carries the first's answer")
                .isGreaterThan(conversation.path("firstInputTokens").asInt());

        assertThat(JsClients.check(reports, "error").get(0).path("status").asInt()).isEqualTo(404);
    }
}
