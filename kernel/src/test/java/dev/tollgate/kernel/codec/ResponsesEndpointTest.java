package dev.tollgate.kernel.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.SseEvents;
import dev.tollgate.kernel.SseEvents.Sse;
import dev.tollgate.kernel.routing.ScriptedProviderPlugin;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/responses} through the whole kernel, translated from a provider that speaks only the canonical model. */
class ResponsesEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Sse> events(String body) {
        return SseEvents.of(body);
    }

    @Test
    void aWholeAnswerIsAResponseObject() throws Exception {
        try (KernelHarness gw = KernelHarness.withFakeModel("", Map.of())) {
            HttpResponse<String> r = gw.post("/v1/responses", """
                    {"model":"m","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}],
                     "store":false}""");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode json = JSON.readTree(r.body());
            assertThat(json.get("object").asText()).isEqualTo("response");
            assertThat(json.get("id").asText()).startsWith("resp_");
            assertThat(json.get("status").asText()).isEqualTo("completed");
            assertThat(json.get("model").asText()).isEqualTo("m");
            JsonNode item = json.get("output").get(0);
            assertThat(item.get("type").asText()).isEqualTo("message");
            assertThat(item.get("content").get(0).get("text").asText()).isEqualTo("echo:up-m");
            assertThat(json.get("usage").get("input_tokens").asLong()).isEqualTo(3);
            assertThat(json.get("usage").get("output_tokens").asLong()).isEqualTo(2);
            assertThat(json.get("usage").get("total_tokens").asLong()).isEqualTo(5);
        }
    }

    @Test
    void aStreamIsTheResponsesEventSequence() throws Exception {
        try (KernelHarness gw = KernelHarness.withFakeModel("", Map.of())) {
            HttpResponse<String> r = gw.post("/responses", "{\"model\":\"m\",\"input\":\"hi\",\"stream\":true}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            List<Sse> events = events(r.body());
            assertThat(events).extracting(Sse::name).containsExactly("response.created", "response.in_progress",
                    "response.output_item.added", "response.content_part.added",
                    "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                    "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed");
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).data().get("type").asText()).isEqualTo(events.get(i).name());
                assertThat(events.get(i).data().get("sequence_number").asInt()).isEqualTo(i);
            }
            assertThat(events.get(7).data().get("text").asText()).isEqualTo("c0c1c2");
            JsonNode done = events.getLast().data().get("response");
            assertThat(done.get("status").asText()).isEqualTo("completed");
            assertThat(done.get("output").get(0).get("content").get(0).get("text").asText()).isEqualTo("c0c1c2");
            assertThat(done.get("usage").get("output_tokens").asLong()).isEqualTo(3);
            assertThat(r.body()).doesNotContain("[DONE]");
        }
    }

    @Test
    void badInputIsA400InOpenAiShapeNamingTheField() throws Exception {
        try (KernelHarness gw = KernelHarness.withFakeModel("", Map.of())) {
            HttpResponse<String> unknownItem = gw.post("/v1/responses", "{\"model\":\"m\",\"input\":[{\"type\":\"computer_call\"}]}");
            assertThat(unknownItem.statusCode()).isEqualTo(400);
            JsonNode error = JSON.readTree(unknownItem.body()).get("error");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("param").asText()).isEqualTo("input[0].type");

            HttpResponse<String> builtIn = gw.post("/v1/responses", "{\"model\":\"m\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}");
            assertThat(builtIn.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(builtIn.body()).get("error").get("param").asText()).isEqualTo("tools[0].type");

            HttpResponse<String> noInput = gw.post("/v1/responses", "{\"model\":\"m\"}");
            assertThat(noInput.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(noInput.body()).get("error").get("param").asText()).isEqualTo("input");

            HttpResponse<String> noModel = gw.post("/v1/responses", "{\"model\":\"nope\",\"input\":\"hi\"}");
            assertThat(noModel.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(noModel.body()).get("error").get("code").asText()).isEqualTo("model_not_found");
        }
    }

    @Test
    void aStreamThatFailsAfterItStartedEndsWithResponseFailed() throws Exception {
        try (KernelHarness gw = KernelHarness.start("""
                plugins: [scripted]
                models:
                  m:
                    deployments:
                      - {provider: scripted, model: up-m, config: {script: [die]}}
                """, Map.of("scripted", new ScriptedProviderPlugin()))) {
            HttpResponse<String> r = gw.post("/v1/responses", "{\"model\":\"m\",\"input\":\"hi\",\"stream\":true}");
            assertThat(r.statusCode()).isEqualTo(200);
            List<Sse> events = events(r.body());
            assertThat(events.getFirst().name()).isEqualTo("response.created");
            Sse last = events.getLast();
            assertThat(last.name()).isEqualTo("response.failed");
            assertThat(last.data().get("sequence_number").asInt()).isEqualTo(events.size() - 1);
            assertThat(last.data().get("response").get("status").asText()).isEqualTo("failed");
            assertThat(last.data().get("response").get("error").get("code").asText()).isEqualTo("upstream_reset");
            assertThat(events).extracting(Sse::name).doesNotContain("response.completed");
        }
    }
}
