package dev.tollgate.plugin.bedrock;

import static dev.tollgate.plugin.bedrock.TestSupport.adapter;
import static dev.tollgate.plugin.bedrock.TestSupport.answer;
import static dev.tollgate.plugin.bedrock.TestSupport.fixture;
import static dev.tollgate.plugin.bedrock.TestSupport.openAi;
import static dev.tollgate.plugin.bedrock.TestSupport.translated;
import static dev.tollgate.plugin.bedrock.TestSupport.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.Reasoning;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Canonical requests to Converse bodies, and Converse answers back, from the fixtures. */
class TranslationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode body(UpstreamRequest r) {
        return tree(new String(r.body().toArray(), StandardCharsets.UTF_8));
    }

    private static ChatResponse respond(String fixture) {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture(fixture)).withHeader("x-amzn-RequestId", "rid-1"));
        RecordingResponseSink<ChatResponse> sink = answer(adapter(withKey()), translated(openAi("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")), http);
        assertThat(sink.kind()).as("%s", sink.error()).isEqualTo(RecordingResponseSink.Kind.TRANSLATED);
        return sink.response();
    }

    @Test
    void anOpenAiRequestBecomesTheConverseBodyOfTheFixtureAndItsLossesAreReported() {
        List<String> warned = new ArrayList<>();
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        answer(adapter(withKey(), (what, value) -> warned.add(value)), translated(openAi(fixture("openai.request.json"))), http);

        UpstreamRequest sent = http.onlyRequest();
        assertThat(body(sent)).isEqualTo(tree(fixture("openai.request.converse.json")));
        assertThat(sent.uri().toString()).isEqualTo("http://bedrock.test/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");
        assertThat(sent.headers().first("content-type")).contains("application/json");
        assertThat(warned).contains("seed");
    }

    @Test
    void theRequestCarriesASigV4SignatureThatVerifiesFromWhatWasSent() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        answer(adapter(withKey()), translated(openAi("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")), http);

        UpstreamRequest sent = http.onlyRequest();
        String authorization = sent.headers().first("authorization").orElseThrow();
        assertThat(authorization).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=");
        assertThat(sent.headers().first("x-amz-date")).contains("20250101T120000Z");
        assertThat(sent.headers().first("host")).as("the kernel's client sets Host itself").isEmpty();
        assertThat(TestSupport.resign(sent).authorization()).isEqualTo(authorization);
        assertThat(TestSupport.resign(sent).canonicalRequest()).contains("/model/anthropic.claude-sonnet-4-5-20250929-v1%253A0/converse");
    }

    @Test
    void sessionCredentialsSendAndSignTheSecurityToken() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        answer(adapter(withKey("session_token", "FwoGZXIvYXdzEXAMPLETOKEN")), translated(openAi(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")), http);

        UpstreamRequest sent = http.onlyRequest();
        assertThat(sent.headers().first("x-amz-security-token")).contains("FwoGZXIvYXdzEXAMPLETOKEN");
        assertThat(sent.headers().first("authorization").orElseThrow()).contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,");
    }

    @Test
    void reasoningBecomesAnthropicThinkingForAnthropicModelsOnly() {
        ChatRequest chat = ChatRequest.builder().model("m").addMessage(Message.user("27 * 453?")).reasoning(new Reasoning("medium", null))
                .temperature(0.2).build();
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("reasoning.response.json")));
        List<String> warned = new ArrayList<>();
        answer(adapter(withKey(), (w, v) -> warned.add(v)), translated(chat), http);
        JsonNode sent = body(http.onlyRequest());
        assertThat(sent.at("/additionalModelRequestFields/thinking/type").asText()).isEqualTo("enabled");
        assertThat(sent.at("/additionalModelRequestFields/thinking/budget_tokens").asInt()).isEqualTo(8192);
        assertThat(sent.at("/inferenceConfig/maxTokens").asInt()).as("budget plus the default output").isEqualTo(8192 + 4096);
        assertThat(sent.at("/inferenceConfig/temperature").isMissingNode()).isTrue();
        assertThat(warned).contains("temperature");

        ScriptedUpstreamHttp nova = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        answer(adapter(withKey(), (w, v) -> warned.add(v)), translated(chat, "amazon.nova-pro-v1:0"), nova);
        assertThat(body(nova.onlyRequest()).has("additionalModelRequestFields")).isFalse();
        assertThat(warned).contains("reasoning");
    }

    @Test
    void cacheMarkersBecomeCachePointsAndThinkingGoesBackSigned() {
        RawJson ephemeral = RawJson.of("{\"type\":\"ephemeral\"}");
        ChatRequest chat = ChatRequest.builder().model("m").system(List.of(new ContentBlock.Text("Long policy text", ephemeral)))
                .addMessage(Message.user("Q1"))
                .addMessage(Message.of(Role.ASSISTANT, List.of(new ContentBlock.Thinking("thought", "sig-1"), ContentBlock.Text.of("A1"))))
                .addMessage(Message.user("Q2")).addMessage(Message.user("Q2, continued"))
                .build();
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        answer(adapter(withKey()), translated(chat), http);
        JsonNode sent = body(http.onlyRequest());
        assertThat(sent.at("/system/1/cachePoint/type").asText()).isEqualTo("default");
        assertThat(sent.at("/messages/1/content/0/reasoningContent/reasoningText/signature").asText()).isEqualTo("sig-1");
        assertThat(sent.at("/messages").size()).as("consecutive user turns merged").isEqualTo(3);
        assertThat(sent.at("/messages/2/content").size()).isEqualTo(2);
    }

    @Test
    void anImageByUrlIsRefusedWithA400NamingTheField() {
        ChatRequest chat = ChatRequest.builder().model("m")
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.Image.url("https://example.com/cat.png")))).build();
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, fixture("text.response.json")));
        RecordingResponseSink<ChatResponse> sink = answer(adapter(withKey()), translated(chat), http);
        assertThat(sink.error().status()).isEqualTo(400);
        assertThat(sink.error().param()).contains("messages[0].content[0]");
        assertThat(http.requests()).isEmpty();
    }

    @Test
    void aTextAnswerIsTranslatedWithAwsRequestIdAsItsId() {
        ChatResponse r = respond("text.response.json");
        assertThat(r.id()).isEqualTo("rid-1");
        assertThat(r.model()).isEqualTo(TestSupport.UPSTREAM_MODEL);
        assertThat(r.text()).isEqualTo("Bonjour ! Comment puis-je vous aider aujourd'hui ?");
        assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(r.usage()).contains(Usage.of(25, 15));
    }

    @Test
    void cacheReadsAndWritesAreAddedToTheInputCount() {
        Usage u = respond("usage_cache.response.json").usage().orElseThrow();
        assertThat(u.inputTokens()).isEqualTo(2025);
        assertThat(u.cachedInputTokens()).isEqualTo(1800);
        assertThat(u.cacheWriteTokens()).isEqualTo(200);
        assertThat(u.outputTokens()).isEqualTo(15);
    }

    @Test
    void parallelToolCallsKeepTheirIdsAndInput() {
        ChatResponse r = respond("tool_use.response.json");
        assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        List<ContentBlock.ToolUse> calls = r.content().stream().filter(b -> b instanceof ContentBlock.ToolUse)
                .map(b -> (ContentBlock.ToolUse) b).toList();
        assertThat(calls).extracting(ContentBlock.ToolUse::id).containsExactly("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "tooluse_9xQWq3WbT0SddJ8GJ7Y4hw");
        assertThat(tree(calls.get(1).arguments())).isEqualTo(tree("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"));
    }

    @Test
    void reasoningComesBackWithItsSignatureAndRedactedBlocks() {
        ChatResponse r = respond("reasoning.response.json");
        assertThat(r.content().get(0)).isEqualTo(new ContentBlock.Thinking("27 * 453: 27 * 400 = 10800, 27 * 53 = 1431, sum 12231.",
                "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"));
        assertThat(r.content().get(1)).isEqualTo(new ContentBlock.RedactedThinking("RXh0ZW5kZWQgdGhpbmtpbmcgcmVkYWN0ZWQ="));
        assertThat(r.text()).isEqualTo("27 * 453 = 12231");
    }

    @ParameterizedTest
    @CsvSource({"end_turn,END_TURN", "tool_use,TOOL_USE", "max_tokens,MAX_TOKENS", "stop_sequence,STOP_SEQUENCE",
            "guardrail_intervened,CONTENT_FILTER", "content_filtered,CONTENT_FILTER"})
    void eachStopReasonMaps(String bedrock, StopReason canonical) {
        ChatResponse r = respond("stop." + bedrock + ".response.json");
        assertThat(r.stopReason()).isEqualTo(canonical);
        assertThat(r.stopSequence()).isEqualTo(canonical == StopReason.STOP_SEQUENCE ? java.util.Optional.of("END") : java.util.Optional.empty());
    }

    @Test
    void anUnknownStopReasonIsOtherAndReported() {
        List<String> warned = new ArrayList<>();
        assertThat(ConverseResponses.stopReason("malformed_model_output", (w, v) -> warned.add(w + ": " + v))).isEqualTo(StopReason.OTHER);
        assertThat(warned).containsExactly("unknown stop reason: malformed_model_output");
    }

    @Test
    void anUnknownContentBlockIsReportedNotSilentlyDropped() {
        List<String> warned = new ArrayList<>();
        byte[] body = "{\"output\":{\"message\":{\"content\":[{\"citationsContent\":{}},{\"text\":\"ok\"}]}},\"stopReason\":\"end_turn\"}"
                .getBytes(StandardCharsets.UTF_8);
        ChatResponse r = ConverseResponses.parse(body, body.length, "id", "m", (w, v) -> warned.add(v));
        assertThat(r.text()).isEqualTo("ok");
        assertThat(warned).containsExactly("citationsContent");
    }

    @Test
    void aResponseWithoutPassedHeadersHasNone() {
        assertThat(BedrockAdapter.passedHeaders(Headers.EMPTY)).isEqualTo(Headers.EMPTY);
    }
}
