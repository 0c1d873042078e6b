package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.tollgate.it.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK, pointed at the gateway, works unchanged: completions and streams
 * through provider-openai (to WireMock) and provider-mock, and its typed errors for the gateway's
 * error documents.
 */
class OpenAiSdkTest {

    private static final String UPSTREAM_MODEL = "upstream-model";

    private static WireMockUpstream upstream;
    private static WireMockServer wireMock;
    private static TestGateway gateway;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = WireMockUpstream.start("""
                plugins: [provider-mock, provider-openai]
                models:
                  mock:
                    deployments:
                      - provider: mock
                        model: mock-1
                """, "gpt-test", UPSTREAM_MODEL);
        wireMock = upstream.wireMock;
        gateway = upstream.gateway;
        client = Upstreams.openAiSdk(gateway);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void stub() {
        wireMock.resetAll();
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.completion(UPSTREAM_MODEL, "Hello from upstream"))));
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(Upstreams.sseBody(UPSTREAM_MODEL, "Hello", " from", " upstream"))));
    }

    private static ChatCompletionCreateParams params(String model, boolean includeUsage) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(model).addUserMessage("say something nice");
        if (includeUsage) {
            b.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }
        return b.build();
    }

    /** The chunks of a stream, read to its end. */
    private static List<ChatCompletionChunk> streamed(ChatCompletionCreateParams params) {
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            return s.stream().toList();
        }
    }

    private static String concatenated(List<ChatCompletionChunk> chunks) {
        StringBuilder b = new StringBuilder();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice choice : c.choices()) {
                choice.delta().content().ifPresent(b::append);
            }
        }
        return b.toString();
    }

    private static List<String> contentDeltas(List<ChatCompletionChunk> chunks) {
        List<String> out = new ArrayList<>();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice choice : c.choices()) {
                choice.delta().content().filter(s -> !s.isEmpty()).ifPresent(out::add);
            }
        }
        return out;
    }

    @Test
    void completionThroughProviderOpenAi() {
        ChatCompletion completion = client.chat().completions().create(params("gpt-test", false));

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValue("Hello from upstream");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(9);
        assertThat(usage.completionTokens()).isEqualTo(3);
        assertThat(usage.totalTokens()).isEqualTo(12);
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(UPSTREAM_MODEL)))
                .withHeader("Authorization", equalTo("Bearer " + Upstreams.KEY)));
    }

    @Test
    void streamThroughProviderOpenAi() {
        List<ChatCompletionChunk> chunks = streamed(params("gpt-test", true));

        assertThat(concatenated(chunks)).isEqualTo("Hello from upstream");
        List<CompletionUsage> usage = chunks.stream().flatMap(c -> c.usage().stream()).toList();
        assertThat(usage).hasSize(1);
        assertThat(usage.get(0).completionTokens()).isEqualTo(3);
        assertThat(usage.get(0).promptTokens()).isEqualTo(9);
    }

    @Test
    void streamThroughProviderOpenAiWithoutUsageRequested() {
        List<ChatCompletionChunk> chunks = streamed(params("gpt-test", false));

        assertThat(concatenated(chunks)).isEqualTo("Hello from upstream");
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
    }

    @Test
    void completionFromTheMockProvider() {
        ChatCompletion completion = client.chat().completions().create(params("mock", false));

        String content = completion.choices().get(0).message().content().orElseThrow();
        assertThat(content).isNotBlank();
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.completionTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
        // the mock counts a token per word
        assertThat(usage.completionTokens()).isEqualTo(content.trim().split("\\s+").length);
    }

    @Test
    void streamFromTheMockProvider() {
        List<ChatCompletionChunk> chunks = streamed(params("mock", true));

        assertThat(concatenated(chunks)).isNotBlank();
        List<CompletionUsage> usage = chunks.stream().flatMap(c -> c.usage().stream()).toList();
        assertThat(usage).hasSize(1);
        CompletionUsage u = usage.get(0);
        assertThat(u.promptTokens()).isPositive();
        assertThat(u.completionTokens()).isPositive();
        assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + u.completionTokens());
        assertThat(u.completionTokens()).as("one content delta per completion token")
                .isEqualTo(contentDeltas(chunks).size());
        assertThat(chunks).allSatisfy(c -> assertThat(c.model()).isEqualTo("mock"));
    }

    @Test
    void unknownModelRaisesTheSdksNotFoundExceptionWithTheGatewaysMessage() {
        NotFoundException e = catchThrowableOfType(NotFoundException.class,
                () -> client.chat().completions().create(params("no-such-model", false)));

        assertThat(e).as("the SDK raised NotFoundException").isNotNull();
        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.code()).hasValue("model_not_found");
        assertThat(e.type()).hasValue("invalid_request_error");
        assertThat(e.param()).hasValue("model");
        assertThat(e.getMessage()).contains("the model 'no-such-model' does not exist");
        assertThat(e.headers().values("x-request-id")).isNotEmpty();
        wireMock.verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }
}
