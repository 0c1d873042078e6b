package dev.tollgate.formats.openai;

import static dev.tollgate.formats.TestJson.text;
import static dev.tollgate.formats.TestJson.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tollgate.formats.TestJson.Collected;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Responses writers, read back with the official OpenAI SDK's own models and stream accumulator. */
class ResponsesWriterTest {

    record Event(String name, byte[] data) {}

    static List<Event> stream(List<StreamEvent> events, Collected warnings) {
        List<Event> out = new ArrayList<>();
        ResponsesEventWriter w = new ResponsesEventWriter("my-model", 1700000000L, (n, d) -> out.add(new Event(n, d)), warnings);
        events.forEach(w::write);
        return out;
    }

    static Response accumulate(List<Event> events) throws Exception {
        ResponseAccumulator acc = ResponseAccumulator.create();
        for (Event e : events) {
            acc.accumulate(ObjectMappers.jsonMapper().readValue(e.data(), ResponseStreamEvent.class));
        }
        return acc.response();
    }

    @Test
    void aWholeAnswerIsAResponseObjectWithItemsAndUsage() throws Exception {
        ChatResponse r = ChatResponse.builder().id("chatcmpl-1").model("upstream").created(1700000000L)
                .addContent(new ContentBlock.Thinking("Think.", null))
                .addContent(ContentBlock.Text.of("Hello"))
                .addContent(new ContentBlock.ToolUse("call_1", "weather", "{\"city\":\"Paris\"}"))
                .stopReason(StopReason.TOOL_USE).usage(OpenAiChunkWriterTest.USAGE).build();
        Response resp = ObjectMappers.jsonMapper().readValue(ResponsesAnswers.write(r, "my-model", new Collected()), Response.class);
        resp.validate();
        assertThat(resp.id()).isEqualTo("resp_chatcmpl-1");
        assertThat(resp.model().asString()).isEqualTo("my-model");
        assertThat(resp.status()).contains(ResponseStatus.COMPLETED);
        assertThat(resp.output()).hasSize(3);
        assertThat(resp.output().get(0).reasoning().orElseThrow().summary().getFirst().text()).isEqualTo("Think.");
        assertThat(resp.output().get(1).message().orElseThrow().content().getFirst().outputText().orElseThrow().text())
                .isEqualTo("Hello");
        var call = resp.output().get(2).functionCall().orElseThrow();
        assertThat(call.callId()).isEqualTo("call_1");
        assertThat(call.name()).isEqualTo("weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        var usage = resp.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(120);
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(100);
        assertThat(usage.outputTokens()).isEqualTo(40);
        assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(12);
        assertThat(usage.totalTokens()).isEqualTo(160);
    }

    @Test
    void aTruncatedAnswerIsIncompleteWithTheReason() {
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("Hel"))
                .stopReason(StopReason.MAX_TOKENS).build();
        JsonNode json = tree(ResponsesAnswers.write(r, "m", new Collected()));
        assertThat(json.get("status").asText()).isEqualTo("incomplete");
        assertThat(json.get("incomplete_details").get("reason").asText()).isEqualTo("max_output_tokens");
        assertThat(json.get("usage").isNull()).isTrue();
    }

    @Test
    void aStreamFollowsTheDocumentedOrderWithConsecutiveSequenceNumbers() throws Exception {
        List<Event> events = stream(OpenAiChunkWriterTest.richStream(), new Collected());
        assertThat(events).extracting(Event::name).containsExactly(
                "response.created", "response.in_progress",
                "response.output_item.added", "response.reasoning_summary_part.added",
                "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
                "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.completed");
        for (int i = 0; i < events.size(); i++) {
            JsonNode json = tree(events.get(i).data());
            assertThat(json.get("type").asText()).isEqualTo(events.get(i).name());
            assertThat(json.get("sequence_number").asLong()).isEqualTo(i);
        }
        JsonNode argsDone = tree(events.get(19).data());
        assertThat(argsDone.get("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(argsDone.get("output_index").asInt()).isEqualTo(2);

        Response done = accumulate(events);
        done.validate();
        assertThat(done.status()).contains(ResponseStatus.COMPLETED);
        assertThat(done.output()).hasSize(4);
        assertThat(done.output().get(1).message().orElseThrow().content().getFirst().outputText().orElseThrow().text())
                .isEqualTo("Checking both.");
        assertThat(done.output().get(3).functionCall().map(c -> c.callId() + " " + c.arguments()))
                .contains("toolu_b {\"tz\":\"CET\"}");
        assertThat(done.usage().orElseThrow().outputTokensDetails().reasoningTokens()).isEqualTo(12);
    }

    @Test
    void toolArgumentsSplitAcrossManyDeltasArriveIntact() throws Exception {
        String args = "{\"query\":\"" + "x".repeat(300) + "\"}";
        List<StreamEvent> in = new ArrayList<>();
        in.add(new StreamEvent.MessageStart("id1", "m", null));
        in.add(new StreamEvent.BlockStart(0, new ContentBlock.ToolUse("call_9", "search", "")));
        for (int i = 0; i < args.length(); i += 7) {
            in.add(new StreamEvent.ToolArgumentsDelta(0, args.substring(i, Math.min(args.length(), i + 7))));
        }
        in.add(new StreamEvent.BlockStop(0));
        in.add(new StreamEvent.MessageEnd(StopReason.TOOL_USE, null, null));
        Response done = accumulate(stream(in, new Collected()));
        assertThat(done.output()).singleElement().extracting(ResponseOutputItem::functionCall)
                .satisfies(c -> assertThat(c.orElseThrow().arguments()).isEqualTo(args));
    }

    @Test
    void aFailureAfterTheStartIsResponseFailedAndBeforeItAnErrorEvent() {
        List<Event> out = new ArrayList<>();
        ResponsesEventWriter w = new ResponsesEventWriter("m", 1L, (n, d) -> out.add(new Event(n, d)), new Collected());
        w.write(new StreamEvent.MessageStart("id1", "m", null));
        w.fail("upstream_error", "the provider failed", null);
        assertThat(out).extracting(Event::name).containsExactly("response.created", "response.in_progress", "response.failed");
        JsonNode failed = tree(out.get(2).data());
        assertThat(failed.get("sequence_number").asInt()).isEqualTo(2);
        assertThat(failed.get("response").get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("response").get("error").get("code").asText()).isEqualTo("upstream_error");

        List<Event> early = new ArrayList<>();
        ResponsesEventWriter w2 = new ResponsesEventWriter("m", 1L, (n, d) -> early.add(new Event(n, d)), new Collected());
        w2.fail("rate_limited", "slow down", null);
        assertThat(early).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("error");
            assertThat(text(e.data())).contains("\"message\":\"slow down\"", "\"sequence_number\":0");
        });
    }

    @Test
    void aRedactedThinkingBlockIsDroppedWithAWarning() {
        Collected warnings = new Collected();
        List<Event> events = stream(List.of(new StreamEvent.MessageStart("id1", "m", null),
                new StreamEvent.BlockStart(0, new ContentBlock.RedactedThinking("opaque")), new StreamEvent.BlockStop(0),
                new StreamEvent.MessageEnd(StopReason.END_TURN, null, null)), warnings);
        assertThat(events).extracting(Event::name).containsExactly("response.created", "response.in_progress", "response.completed");
        assertThat(warnings.all).singleElement().asString().contains("REDACTED_THINKING");
    }

    static final String ECHOED_REQUEST = """
            {"model":"m","input":"hi","instructions":"Be brief.","temperature":0.2,"top_p":0.9,"max_output_tokens":64,
             "tools":[{"type":"function","name":"weather","parameters":{"type":"object"},"strict":true}],
             "tool_choice":"required","parallel_tool_calls":false,"metadata":{"team":"a"},"user":"u-1",
             "reasoning":{"effort":"low"},"text":{"format":{"type":"json_object"}},"truncation":"auto","stream":true}""";

    @Test
    void aResponseRepeatsTheFieldsTheRequestSentAsOpenAisDoes() throws Exception {
        ResponseEcho echo = new ResponseEcho(null, false, null, RequestEcho.of(ECHOED_REQUEST.getBytes(UTF_8)));
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("Hi"))
                .stopReason(StopReason.END_TURN).build();
        Response whole = ObjectMappers.jsonMapper().readValue(ResponsesAnswers.write(r, "m", echo, new Collected()), Response.class);

        List<Event> events = new ArrayList<>();
        ResponsesEventWriter w = new ResponsesEventWriter("m", 1700000000L, (n, d) -> events.add(new Event(n, d)), echo,
                new Collected());
        OpenAiChunkWriterTest.richStream().forEach(w::write);
        Response streamed = accumulate(events);

        for (Response resp : List.of(whole, streamed)) {
            resp.validate();
            assertThat(resp.instructions().orElseThrow().asString()).isEqualTo("Be brief.");
            assertThat(resp.temperature()).contains(0.2);
            assertThat(resp.topP()).contains(0.9);
            assertThat(resp.maxOutputTokens()).contains(64L);
            assertThat(resp.tools()).singleElement().satisfies(t -> assertThat(t.asFunction().name()).isEqualTo("weather"));
            assertThat(resp.toolChoice().asOptions().asString()).isEqualTo("required");
            assertThat(resp.parallelToolCalls()).isFalse();
            assertThat(resp.metadata().orElseThrow()._additionalProperties()).containsKey("team");
            assertThat(resp.user()).contains("u-1");
            assertThat(resp.reasoning().orElseThrow().effort().orElseThrow().asString()).isEqualTo("low");
            assertThat(resp.text().orElseThrow().format().orElseThrow().isJsonObject()).isTrue();
            assertThat(resp.truncation().orElseThrow().asString()).isEqualTo("auto");
        }
        JsonNode created = tree(events.getFirst().data()).get("response");
        assertThat(created.get("instructions").asText()).as("every lifecycle event's response object").isEqualTo("Be brief.");
    }

    @Test
    void fieldsTheRequestLeftOutOrSentAsNullCarryTheirDefaults() {
        ResponseEcho echo = new ResponseEcho(null, false, null,
                RequestEcho.of("{\"model\":\"m\",\"input\":\"hi\",\"instructions\":null}".getBytes(UTF_8)));
        ChatResponse r = ChatResponse.builder().id("x").model("m").addContent(ContentBlock.Text.of("Hi"))
                .stopReason(StopReason.END_TURN).build();
        JsonNode json = tree(ResponsesAnswers.write(r, "m", echo, new Collected()));
        assertThat(json.get("instructions").isNull()).isTrue();
        assertThat(json.get("tools").isEmpty()).isTrue();
        assertThat(json.get("tool_choice").asText()).isEqualTo("auto");
        assertThat(json.get("parallel_tool_calls").asBoolean()).isTrue();
        assertThat(json.get("truncation").asText()).isEqualTo("disabled");
        assertThat(RequestEcho.of("not json".getBytes(UTF_8))).isSameAs(RequestEcho.NONE);
    }
}
