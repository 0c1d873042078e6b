package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.UPSTREAM_MODEL;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.answer;
import static dev.tollgate.spi.testkit.SseFixtures.split;
import static dev.tollgate.spi.testkit.SseFixtures.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Clients of other APIs (here Anthropic Messages): canonical requests rendered as OpenAI JSON, answers read back. */
class TranslationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOCAL = "http://localhost:8000/v1";
    private static final String WEATHER_ARGS = "{\"city\":\"Paris\",\"unit\":\"celsius\"}";
    private static final String TIME_ARGS = "{\"tz\":\"Europe/Paris\",\"format\":\"24h\"}";
    private static final Usage DETAILED = Usage.builder().inputTokens(120).outputTokens(45).cachedInputTokens(100).reasoningTokens(30).build();
    private static final String DETAILED_JSON = "{\"prompt_tokens\":120,\"completion_tokens\":45,\"total_tokens\":165,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":100},\"completion_tokens_details\":{\"reasoning_tokens\":30}}";

    private static ChatRequest conversation(boolean stream) {
        return ChatRequest.builder().model("claude-sonnet")
                .addSystem("You are terse.")
                .addTool(Tool.of("get_weather", "Weather by city",
                        RawJson.of("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")))
                .addMessage(Message.user("Weather in Paris?"))
                .addMessage(Message.of(Role.ASSISTANT, List.of(ContentBlock.Text.of("Checking."),
                        new ContentBlock.ToolUse("toolu_1", "get_weather", "{\"city\":\"Paris\"}"))))
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.ToolResult.text("toolu_1", "18C"))))
                .maxTokens(256)
                .stream(stream)
                .build();
    }

    private static ProviderRequest translated(boolean stream) {
        return TestRequests.translated("req-9", WireFormat.ANTHROPIC_MESSAGES, conversation(stream), UPSTREAM_MODEL);
    }

    private static JsonNode json(UpstreamRequest r) throws IOException {
        return JSON.readTree(r.body().utf8());
    }

    private static RecordingResponseSink<ChatResponse> answerTo(Reply reply) {
        return answer(adapter(), translated(false), ScriptedUpstreamHttp.always(reply));
    }

    @Test
    void sendsTheCanonicalRequestAsOpenAiJsonWithTheDeploymentsModel() throws IOException {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, SseFixtures.completion("c", UPSTREAM_MODEL, "ok", 1, 1)));

        RecordingResponseSink<ChatResponse> sink = answer(adapter(), translated(false), http);

        assertThat(sink.kind()).isEqualTo(Kind.TRANSLATED);
        UpstreamRequest r = http.onlyRequest();
        assertThat(r.uri()).hasToString("https://api.openai.com/v1/chat/completions");
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("Accept")).contains("application/json");
        assertThat(r.headers().first("X-Request-Id")).contains("req-9");
        JsonNode body = json(r);
        assertThat(body.get("model").asText()).isEqualTo(UPSTREAM_MODEL);
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).get("content").asText()).isEqualTo("You are terse.");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(1).get("content").asText()).isEqualTo("Weather in Paris?");
        assertThat(messages.get(2).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(2).get("content").asText()).isEqualTo("Checking.");
        JsonNode call = messages.get(2).get("tool_calls").get(0);
        assertThat(call.get("id").asText()).isEqualTo("toolu_1");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(call.at("/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(messages.get(3).get("role").asText()).isEqualTo("tool");
        assertThat(messages.get(3).get("tool_call_id").asText()).isEqualTo("toolu_1");
        assertThat(messages.get(3).get("content").asText()).isEqualTo("18C");
        JsonNode tool = body.get("tools").get(0);
        assertThat(tool.get("type").asText()).isEqualTo("function");
        assertThat(tool.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(tool.at("/function/description").asText()).isEqualTo("Weather by city");
        assertThat(tool.at("/function/parameters")).isEqualTo(JSON.readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(256);
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.has("stream")).isFalse();
        assertThat(body.has("stream_options")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "https://api.openai.com/v1, , max_completion_tokens",
        "http://localhost:8000/v1, , max_tokens",
        "https://api.groq.com/openai/v1, , max_tokens",
        "http://localhost:8000/v1, max_completion_tokens, max_completion_tokens",
        "https://api.openai.com/v1, max_tokens, max_tokens",
        "https://api.openai.com/v1, auto, max_completion_tokens",
    })
    void writesTheOutputLimitInTheFieldTheUpstreamReads(String apiBase, String configured, String expected) throws IOException {
        Map<String, Object> config = new HashMap<>(Map.of("api_base", apiBase));
        if (configured != null) {
            config.put("max_tokens_field", configured);
        }
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, SseFixtures.completion("c", UPSTREAM_MODEL, "ok", 1, 1)));

        answer(adapter(config), translated(false), http);

        JsonNode body = json(http.onlyRequest());
        String other = expected.equals("max_tokens") ? "max_completion_tokens" : "max_tokens";
        assertThat(body.get(expected).asInt()).isEqualTo(256);
        assertThat(body.has(other)).isFalse();
    }

    @Test
    void readsTheAnswerIntoACanonicalResponse() {
        String upstream = "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + UPSTREAM_MODEL + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Let me check both.\",\"tool_calls\":["
                + "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":" + quoted(WEATHER_ARGS) + "}},"
                + "{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":" + quoted(TIME_ARGS) + "}}]},"
                + "\"finish_reason\":\"tool_calls\"}],\"usage\":" + DETAILED_JSON + "}";

        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.json(200, upstream).withHeader("openai-processing-ms", "77"));

        assertThat(sink.kind()).isEqualTo(Kind.TRANSLATED);
        assertThat(sink.body()).isNull();
        ChatResponse r = sink.response();
        assertThat(r.id()).isEqualTo("chatcmpl-7");
        assertThat(r.model()).isEqualTo(UPSTREAM_MODEL);
        assertThat(r.created()).isEqualTo(1700000000L);
        assertThat(r.content()).containsExactly(
                ContentBlock.Text.of("Let me check both."),
                new ContentBlock.ToolUse("call_a", "get_weather", WEATHER_ARGS),
                new ContentBlock.ToolUse("call_b", "get_time", TIME_ARGS));
        assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(r.usage()).contains(DETAILED);
        assertThat(sink.headers().first("openai-processing-ms")).contains("77");
    }

    @Test
    void answerWithoutUsageHasNone() {
        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.json(200,
                "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"},\"finish_reason\":\"length\"}]}"));

        assertThat(sink.response().text()).isEqualTo("hi");
        assertThat(sink.response().stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(sink.response().usage()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"<html><body>Bad Gateway</body></html>", "{\"id\":\"c\",\"choices\":[]}", "{\"choices\":[",
            "{\"error\":{\"message\":\"oops\"}}", ""})
    void unreadableAnswerIs502(String body) {
        RecordingResponseSink<ChatResponse> sink = answerTo(Reply.json(200, body));

        assertThat(sink.kind()).isEqualTo(Kind.FAILED);
        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.error().type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void errorStatusesAreMappedAsOnThePassThroughPath() {
        GatewayException rejected = answerTo(Reply.json(400, SseFixtures.openAiError("too long", "invalid_request_error",
                "context_length_exceeded"))).error();
        GatewayException auth = answerTo(Reply.json(401, SseFixtures.openAiError("Incorrect API key provided: " + KEY,
                "invalid_request_error", "invalid_api_key"))).error();
        GatewayException limited = answerTo(Reply.json(429, SseFixtures.openAiError("slow down", "requests", "rate_limit_exceeded"))
                .withHeader("Retry-After", "4")).error();
        GatewayException failed = answerTo(Reply.json(503, SseFixtures.openAiError("overloaded " + KEY, "server_error", null))).error();

        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
        assertThat(rejected.code()).isEqualTo("context_length_exceeded");
        assertThat(rejected.getMessage()).isEqualTo("too long");
        assertThat(auth.status()).isEqualTo(502);
        assertThat(auth.code()).isEqualTo("upstream_auth_failed");
        assertThat(auth.getMessage()).doesNotContain(KEY);
        assertThat(limited.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(4));
        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.getMessage()).isEqualTo("the provider failed (HTTP 503): overloaded ***");
    }

    @Test
    void transportFailureIsPassedOn() {
        GatewayException reset = ScriptedUpstreamHttp.reset();

        assertThat(answerTo(Reply.failure(reset)).error()).isSameAs(reset);
    }

    @Test
    void blockOpenAiCannotTakeIsA400BeforeAnyCall() {
        ChatRequest chat = ChatRequest.builder().model("claude-sonnet")
                .addMessage(Message.of(Role.USER, List.of(new ContentBlock.Opaque(WireFormat.ANTHROPIC_MESSAGES, "document",
                        RawJson.of("{\"type\":\"document\",\"source\":{\"type\":\"text\",\"data\":\"x\"}}")))))
                .build();
        ProviderRequest request = TestRequests.translated("req-9", WireFormat.ANTHROPIC_MESSAGES, chat, UPSTREAM_MODEL);
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, SseFixtures.completion("c", "m", "x", 1, 1)));
        OpenAiAdapter adapter = adapter();
        RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();

        try (FakeProviderCall call = new FakeProviderCall("req-9", http)) {
            assertThatThrownBy(() -> adapter.chat(request, call, sink))
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.type()).isEqualTo(ErrorType.CLIENT);
                    });
        }
        assertThat(http.requests()).isEmpty();
    }

    /** The stream an upstream sends for text followed by two parallel tool calls, arguments in pieces of {@code argPiece} chars. */
    private static List<String> toolCallStream(int argPiece) {
        String head = "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + UPSTREAM_MODEL
                + "\",\"choices\":[{\"index\":0,\"delta\":";
        String tail = ",\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}";
        List<String> chunks = new ArrayList<>();
        chunks.add(head + "{\"role\":\"assistant\",\"content\":\"\"}" + tail);
        chunks.add(head + "{\"content\":\"Checking \"}" + tail);
        chunks.add(head + "{\"content\":\"both.\"}" + tail);
        String[][] calls = {{"call_a", "get_weather", WEATHER_ARGS}, {"call_b", "get_time", TIME_ARGS}};
        for (int i = 0; i < calls.length; i++) {
            chunks.add(head + "{\"tool_calls\":[{\"index\":" + i + ",\"id\":\"" + calls[i][0] + "\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"" + calls[i][1] + "\",\"arguments\":\"\"}}]}" + tail);
            String args = calls[i][2];
            for (int at = 0; at < args.length(); at += argPiece) {
                String piece = args.substring(at, Math.min(args.length(), at + argPiece));
                chunks.add(head + "{\"tool_calls\":[{\"index\":" + i + ",\"function\":{\"arguments\":" + quoted(piece) + "}}]}" + tail);
            }
        }
        chunks.add(head + "{}" + ",\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":null}");
        chunks.add("{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + UPSTREAM_MODEL
                + "\",\"choices\":[],\"usage\":" + DETAILED_JSON + "}");
        chunks.add("[DONE]");
        return chunks;
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "3, 7", "5, 100000"})
    void streamedParallelToolCallsComeBackAsCanonicalEvents(int argPiece, int bytePiece) {
        byte[] stream = sse(toolCallStream(argPiece).toArray(String[]::new));
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(split(stream, bytePiece)));

        RecordingStreamSink sink = TestSupport.stream(adapter(), translated(true), http);

        assertThat(sink.error()).isNull();
        assertThat(sink.completed()).isTrue();
        assertThat(sink.nativeEvents()).isEmpty();
        assertThat(sink.text()).isEqualTo("Checking both.");
        assertThat(sink.toolCalls()).containsExactly(
                new ContentBlock.ToolUse("call_a", "get_weather", WEATHER_ARGS),
                new ContentBlock.ToolUse("call_b", "get_time", TIME_ARGS));
        assertThat(sink.events().stream().filter(e -> e instanceof StreamEvent.ToolArgumentsDelta).count())
                .isEqualTo(toolCallStream(argPiece).size() - 8);
        assertThat(sink.events().get(0)).isEqualTo(new StreamEvent.MessageStart("chatcmpl-9", UPSTREAM_MODEL, null));
        assertThat(sink.events().get(sink.events().size() - 1)).isEqualTo(new StreamEvent.MessageEnd(StopReason.TOOL_USE, null, DETAILED));
        assertThat(sink.usage()).isEqualTo(DETAILED);
    }

    @Test
    void streamRequestAlwaysAsksForUsage() throws IOException {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(sse(toolCallStream(100).toArray(String[]::new)))));

        TestSupport.stream(adapter(Map.of("api_base", LOCAL)), translated(true), http);

        UpstreamRequest r = http.onlyRequest();
        assertThat(r.uri()).hasToString(LOCAL + "/chat/completions");
        assertThat(r.headers().first("Accept")).contains("text/event-stream");
        JsonNode body = json(r);
        assertThat(body.get("model").asText()).isEqualTo(UPSTREAM_MODEL);
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(body.get("max_tokens").asInt()).isEqualTo(256);
    }

    @Test
    void streamRequestWithoutStreamOptionsWhenIncludeUsageIsOff() throws IOException {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(sse(toolCallStream(100).toArray(String[]::new)))));

        RecordingStreamSink sink = TestSupport.stream(adapter(Map.of("include_usage", false)), translated(true), http);

        assertThat(json(http.onlyRequest()).has("stream_options")).isFalse();
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void streamWithoutAFinishReasonIsTruncated() {
        String chunk = "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"half\"},\"finish_reason\":null}]}";
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(sse(chunk))));

        RecordingStreamSink sink = TestSupport.stream(adapter(), translated(true), http);

        assertThat(sink.text()).isEqualTo("half");
        assertThat(sink.completed()).isFalse();
        assertThat(sink.error().code()).isEqualTo("upstream_stream_truncated");
    }

    @Test
    void streamPayloadThatIsNotJsonIsMalformed() {
        String chunk = "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}";
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(sse(chunk, "<html>oops</html>", "[DONE]"))));

        RecordingStreamSink sink = TestSupport.stream(adapter(), translated(true), http);

        assertThat(sink.text()).isEqualTo("a");
        assertThat(sink.error().code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void streamCommentsProduceNoEvents() {
        List<String> chunks = toolCallStream(100);
        StringBuilder s = new StringBuilder();
        for (String c : chunks) {
            s.append(": keep-alive\n\n").append("data: ").append(c).append("\n\n");
        }
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(s.toString().getBytes(StandardCharsets.UTF_8))));
        ScriptedUpstreamHttp plain = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(sse(chunks.toArray(String[]::new)))));

        RecordingStreamSink withComments = TestSupport.stream(adapter(), translated(true), http);
        RecordingStreamSink without = TestSupport.stream(adapter(), translated(true), plain);

        assertThat(withComments.events()).isEqualTo(without.events());
    }

    @Test
    void streamErrorStatusIsMapped() {
        Reply reply = Reply.of(429, Headers.of("Content-Type", "application/json", "Retry-After", "9"),
                SseFixtures.openAiError("slow down", "requests", "rate_limit_exceeded").getBytes(StandardCharsets.UTF_8));

        RecordingStreamSink sink = TestSupport.stream(adapter(), translated(true), ScriptedUpstreamHttp.always(reply));

        assertThat(sink.events()).isEmpty();
        assertThat(sink.error().type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(sink.error().retryAfter()).contains(Duration.ofSeconds(9));
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
