package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ThinkingBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.it.TestGateway;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * provider-bedrock loaded from the distribution, WireMock as bedrock-runtime serving the plugin's
 * Converse fixtures: an OpenAI-format client streams text and parallel tool calls out of the binary
 * event-stream framing, an Anthropic SDK client gets Converse tool use translated and streams reasoning
 * (text and signature) and a tool call as thinking and tool_use blocks, errors reach the client mapped,
 * and the request WireMock received carries a SigV4 signature that the plugin's own signer, loaded from
 * the distribution, reproduces from what was received.
 */
class BedrockProviderTest {

    private static final String UPSTREAM_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    private static final String KEY_ID = "AKIDEXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final PluginFixtures FIXTURES = PluginFixtures.of("provider-bedrock", "bedrock");

    private static WireMockServer wireMock;
    private static TestGateway gateway;
    private static OpenAIClient openAi;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() {
        wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        gateway = TestGateway.start("""
                plugins: [provider-bedrock]
                models:
                  claude-bedrock:
                    deployments:
                      - provider: bedrock
                        model: %s
                        config:
                          endpoint: http://127.0.0.1:%d
                          region: us-east-1
                          access_key_id: ${env:BEDROCK_KEY_ID}
                          secret_access_key: ${env:BEDROCK_SECRET}
                          read_timeout: 2s
                """.formatted(UPSTREAM_MODEL, wireMock.port()), Map.of("BEDROCK_KEY_ID", KEY_ID, "BEDROCK_SECRET", SECRET));
        openAi = Upstreams.openAiSdk(gateway);
        anthropic = Upstreams.anthropicSdk(gateway);
    }

    @AfterAll
    static void stop() {
        if (openAi != null) {
            openAi.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (wireMock != null) {
            wireMock.stop();
        }
    }

    @BeforeEach
    void reset() {
        wireMock.resetAll();
    }

    private static String fixture(String name) {
        return FIXTURES.read(name);
    }

    private static LoggedRequest sent() {
        List<LoggedRequest> all = wireMock.findAll(postRequestedFor(urlPathMatching("/model/.*")));
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Test
    void anOpenAiSdkStreamGetsTextAndParallelToolCallsOutOfTheEventStreamAndTheRequestIsSigned() throws Exception {
        wireMock.stubFor(post(urlPathMatching("/model/.*/converse-stream")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/vnd.amazon.eventstream").withHeader("x-amzn-RequestId", "rid-it-1")
                .withBody(eventStream(fixture("tool_use.events")))));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude-bedrock")
                .addUserMessage("Weather in San Francisco and Paris?")
                .addFunctionTool(FunctionDefinition.builder().name("get_weather")
                        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build())
                        .build())
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = openAi.chat().completions().createStreaming(params)) {
            s.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion c = accumulator.chatCompletion();

        assertThat(c.choices().get(0).message().content()).contains("I'll check the weather in both cities.");
        List<ChatCompletionMessageToolCall> calls = c.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).function().orElseThrow().id()).isEqualTo("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
        assertThat(Upstreams.parse(calls.get(0).function().orElseThrow().function().arguments()))
                .isEqualTo(Upstreams.parse("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"));
        assertThat(Upstreams.parse(calls.get(1).function().orElseThrow().function().arguments()))
                .isEqualTo(Upstreams.parse("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"));
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(118);

        LoggedRequest r = sent();
        assertThat(r.getUrl()).isEqualTo("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream");
        JsonNode body = Upstreams.parse(r.getBodyAsString());
        assertThat(body.at("/messages/0/content/0/text").asText()).isEqualTo("Weather in San Francisco and Paris?");
        assertThat(body.at("/toolConfig/tools/0/toolSpec/name").asText()).isEqualTo("get_weather");
        String authorization = r.getHeader("Authorization");
        assertThat(authorization).matches("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/us-east-1/bedrock/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}");
        assertThat(resignWithThePluginsSigner(r)).isEqualTo(authorization);
    }

    @Test
    void anAnthropicSdkClientGetsConverseToolUseTranslated() {
        wireMock.stubFor(post(urlPathMatching("/model/.*/converse")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(fixture("tool_use.response.json"))));

        Message m = anthropic.messages().create(MessageCreateParams.builder().model("claude-bedrock").maxTokens(1024)
                .addUserMessage("Weather in San Francisco and Paris?").build());

        List<ToolUseBlock> calls = m.content().stream().flatMap(b -> b.toolUse().stream()).toList();
        assertThat(calls).extracting(ToolUseBlock::id).containsExactly("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "tooluse_9xQWq3WbT0SddJ8GJ7Y4hw");
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(m.usage().inputTokens()).isEqualTo(412);
        assertThat(Upstreams.parse(sent().getBodyAsString()).at("/inferenceConfig/maxTokens").asInt()).isEqualTo(1024);
    }

    @Test
    void anAnthropicSdkStreamGetsConverseReasoningAsThinkingWithItsSignatureAndTheToolUse() {
        wireMock.stubFor(post(urlPathMatching("/model/.*/converse-stream")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/vnd.amazon.eventstream")
                .withBody(eventStream(FIXTURES.readOwn("reasoning_tool_use.events")))));
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(MessageCreateParams.builder()
                .model("claude-bedrock").maxTokens(4096).addUserMessage("Weather in Paris?").enabledThinking(2048)
                .addTool(Tool.builder().name("get_weather").inputSchema(Tool.InputSchema.builder()
                        .properties(com.anthropic.core.JsonValue.from(Map.of("location", Map.of("type", "string")))).build()).build())
                .build())) {
            s.stream().forEach(accumulator::accumulate);
        }
        Message m = accumulator.message();

        assertThat(m.content()).hasSize(2);
        ThinkingBlock thinking = m.content().get(0).thinking().orElseThrow();
        assertThat(thinking.thinking()).isEqualTo("The user wants the weather in Paris; get_weather takes a location.");
        assertThat(thinking.signature()).isEqualTo("ErUBCkYIBRgCIkBQkZ1rEXAMPLEREASONINGSIGNATUREqZ3h0aW5n");
        ToolUseBlock call = m.content().get(1).toolUse().orElseThrow();
        assertThat(call.id()).isEqualTo("tooluse_Wq8dZ3kTQbGf1cH2xY7aLw");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call._input().convert(Map.class)).as("the input Bedrock split across deltas")
                .isEqualTo(Map.of("location", "Paris, France"));
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(m.usage().inputTokens()).isEqualTo(380);
        assertThat(m.usage().outputTokens()).isEqualTo(96);

        JsonNode body = Upstreams.parse(sent().getBodyAsString());
        assertThat(body.at("/additionalModelRequestFields/thinking/type").asText()).isEqualTo("enabled");
        assertThat(body.at("/additionalModelRequestFields/thinking/budget_tokens").asInt()).isEqualTo(2048);
        assertThat(body.at("/inferenceConfig/maxTokens").asInt()).isEqualTo(4096);
        assertThat(body.at("/toolConfig/tools/0/toolSpec/name").asText()).isEqualTo("get_weather");
    }

    @Test
    void aPromptTooLongReachesAnOpenAiClientAsContextLengthExceeded() {
        wireMock.stubFor(post(urlPathMatching("/model/.*/converse")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withHeader("x-amzn-ErrorType", "ValidationException")
                .withBody(fixture("error.context_window.json"))));

        HttpResponse<String> r = Upstreams.send(gateway, "/v1/chat/completions",
                "{\"model\":\"claude-bedrock\",\"messages\":[{\"role\":\"user\",\"content\":\"a long prompt\"}]}");

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = Upstreams.assertOpenAiError(r.body());
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(r.body()).doesNotContain(SECRET);
    }

    @Test
    void theShippedConfigsBedrockExampleStartsOnceUncommentedAndFailsRequestsOnlyForLackOfCredentials() throws Exception {
        String shipped = Files.readString(Path.of("..", "distribution", "src", "conf", "tollgate.yaml"));
        int from = shipped.indexOf("  # claude-bedrock:");
        int to = shipped.indexOf("  #\n", from);
        assertThat(from).isPositive();
        String block = shipped.substring(from, to).lines().map(l -> l.replaceFirst("^  # ", "  ")).reduce("", (a, l) -> a + l + "\n");
        try (TestGateway g = TestGateway.start(shipped.substring(0, from) + block + shipped.substring(to))) {
            HttpResponse<String> models = Upstreams.http().send(java.net.http.HttpRequest.newBuilder(g.uri("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.body()).contains("\"claude-bedrock\"");
        }
    }

    /** The plugin's own SigV4 signer, loaded from the distribution's plugin directory, applied to what WireMock received. */
    private static String resignWithThePluginsSigner(LoggedRequest r) throws Exception {
        Path lib = TestGateway.distribution().resolve("plugins").resolve("provider-bedrock").resolve("lib");
        URL[] jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).map(p -> {
                try {
                    return p.toUri().toURL();
                } catch (java.net.MalformedURLException e) {
                    throw new IllegalStateException(e);
                }
            }).toArray(URL[]::new);
        }
        try (URLClassLoader loader = new URLClassLoader(jars, BedrockProviderTest.class.getClassLoader())) {
            Class<?> credentials = loader.loadClass("dev.tollgate.plugin.bedrock.AwsCredentials");
            Constructor<?> newCredentials = credentials.getDeclaredConstructor(String.class, String.class, String.class, String.class);
            newCredentials.setAccessible(true);
            Object creds = newCredentials.newInstance(KEY_ID, SECRET, null, "test");
            Class<?> sigV4 = loader.loadClass("dev.tollgate.plugin.bedrock.SigV4");
            Method sign = sigV4.getDeclaredMethod("sign", String.class, String.class, String.class, List.class, String.class, credentials,
                    String.class, String.class);
            sign.setAccessible(true);
            List<Map.Entry<String, String>> headers = List.of(Map.entry("host", r.getHeader("Host")),
                    Map.entry("content-type", r.getHeader("Content-Type")), Map.entry("x-amz-date", r.getHeader("X-Amz-Date")));
            String payloadHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.getBody()));
            Object signature = sign.invoke(null, "POST", r.getUrl(), null, headers, payloadHash, creds, "us-east-1", "bedrock");
            Method authorization = signature.getClass().getDeclaredMethod("authorization");
            authorization.setAccessible(true);
            return (String) authorization.invoke(signature);
        }
    }

    /** A {@code *.events} fixture framed in AWS's event-stream encoding (see the plugin's fixtures README). */
    private static byte[] eventStream(String fixture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : fixture.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            String type = line.substring(0, space);
            byte[] payload = line.substring(space + 1).getBytes(StandardCharsets.UTF_8);
            boolean exception = type.startsWith("exception:");
            out.writeBytes(frame(payload, exception ? ":exception-type" : ":event-type",
                    exception ? type.substring("exception:".length()) : type, ":content-type", "application/json", ":message-type",
                    exception ? "exception" : "event"));
        }
        return out.toByteArray();
    }

    private static byte[] frame(byte[] payload, String... stringHeaders) {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        for (int i = 0; i < stringHeaders.length; i += 2) {
            byte[] name = stringHeaders[i].getBytes(StandardCharsets.UTF_8);
            byte[] value = stringHeaders[i + 1].getBytes(StandardCharsets.UTF_8);
            headers.write(name.length);
            headers.writeBytes(name);
            headers.write(7);
            headers.write(value.length >> 8);
            headers.write(value.length & 0xff);
            headers.writeBytes(value);
        }
        int total = 12 + headers.size() + payload.length + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        int32(out, total);
        int32(out, headers.size());
        int32(out, crc(out.toByteArray()));
        out.writeBytes(headers.toByteArray());
        out.writeBytes(payload);
        int32(out, crc(out.toByteArray()));
        return out.toByteArray();
    }

    private static void int32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16 & 0xff);
        out.write(v >>> 8 & 0xff);
        out.write(v & 0xff);
    }

    private static int crc(byte[] bytes) {
        CRC32 c = new CRC32();
        c.update(bytes);
        return (int) c.getValue();
    }
}
