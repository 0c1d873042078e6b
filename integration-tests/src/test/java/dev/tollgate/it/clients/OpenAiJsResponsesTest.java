package dev.tollgate.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI JavaScript SDK's {@code client.responses.create} against the gateway with only its base
 * URL changed: an answer, a stream in order, a function-call round trip and two typed errors. The
 * checks run in {@code src/test/js/openai-responses.mjs}; this test asserts what they report.
 */
class OpenAiJsResponsesTest extends JsClientTest {

    @Test
    void responsesCreateWorksWithOnlyTheBaseUrlChanged() throws Exception {
        List<JsonNode> reports = JsClients.node("openai-responses.mjs", gateway.baseUrl(), "mock");

        JsonNode created = JsClients.check(reports, "create").get(0);
        assertThat(created.path("id").asText()).startsWith("resp_");
        assertThat(created.path("usage").path("input_tokens").asInt()).isPositive();

        JsonNode stream = JsClients.check(reports, "stream").get(0);
        assertThat(stream.path("first").asText()).isEqualTo("response.created");
        assertThat(stream.path("last").asText()).isEqualTo("response.completed");
        assertThat(stream.path("text").asText()).isNotBlank();

        assertThat(JsClients.check(reports, "tools").get(0).path("text").asText()).isEqualTo("The tool returned: sunny in Lisbon");
        assertThat(JsClients.check(reports, "error").get(0).path("status").asInt()).isEqualTo(404);
        JsonNode badTool = JsClients.check(reports, "bad-tool").get(0);
        assertThat(badTool.path("status").asInt()).isEqualTo(400);
        assertThat(badTool.path("param").asText()).isEqualTo("tools[0].type");
    }
}
