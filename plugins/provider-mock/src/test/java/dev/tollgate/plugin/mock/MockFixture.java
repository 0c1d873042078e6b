package dev.tollgate.plugin.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.TestRequests;
import dev.tollgate.spi.time.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds mock adapters and canonical requests, and runs calls the way the kernel does: started on
 * the call's thread, a thrown {@link GatewayException} taken as reported to the sink.
 */
final class MockFixture {

    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final String CLIENT_MODEL = "client-model";
    static final String UPSTREAM_MODEL = "mock-upstream";
    static final String CONFIG_PATH = "models.demo.deployments[0].config";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();

    private MockFixture() {}

    static ProviderAdapter adapter(Map<String, ?> config) {
        return adapter(config, Ticker.system());
    }

    /** An adapter made by the factory with a fixed clock and {@code ticker} as its monotonic time. */
    static ProviderAdapter adapter(Map<String, ?> config, Ticker ticker) {
        PluginContext context = new PluginContext() {
            @Override
            public String pluginId() {
                return "provider-mock";
            }

            @Override
            public Clock clock() {
                return Clock.fixed(NOW, ZoneOffset.UTC);
            }

            @Override
            public Ticker ticker() {
                return ticker;
            }
        };
        return new MockProviderFactory().create(PluginConfig.of(CONFIG_PATH, config), context);
    }

    static ChatRequest.Builder conversation() {
        return ChatRequest.builder().model(CLIENT_MODEL);
    }

    static ChatRequest userPrompt(String text) {
        return conversation().addMessage(Message.user(text)).build();
    }

    /** The request as the kernel hands it over for an OpenAI Chat client. */
    static ProviderRequest request(ChatRequest chat) {
        return request(WireFormat.OPENAI_CHAT, chat);
    }

    static ProviderRequest request(WireFormat clientFormat, ChatRequest chat) {
        return TestRequests.translated("req-1", clientFormat, chat, UPSTREAM_MODEL);
    }

    static ProviderRequest streamRequest(ChatRequest chat) {
        return request(chat.toBuilder().stream(true).includeUsage(true).build());
    }

    /** A request whose body the kernel cannot parse into the canonical model: {@code canonical()} throws {@code error}. */
    static ProviderRequest untranslatable(GatewayException error) {
        return ProviderRequest.builder("req-1", request(userPrompt("x")).facts(), () -> {
            throw error;
        }).deployment(CLIENT_MODEL + "#0", UPSTREAM_MODEL).build();
    }

    static EmbeddingsRequest embeddingsRequest(String body) {
        return TestRequests.embeddings("req-1", CLIENT_MODEL, body, UPSTREAM_MODEL);
    }

    static RecordingResponseSink<ChatResponse> chatSink(ProviderAdapter adapter, ProviderRequest request) {
        RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
        onCallThread(call -> adapter.chat(request, call, sink), sink::fail, () -> sink.awaitEnd(WAIT));
        return sink;
    }

    /** The translated answer; fails the test when the call failed or answered natively. */
    static ChatResponse chat(ProviderAdapter adapter, ChatRequest chat) {
        return translated(chatSink(adapter, request(chat)));
    }

    static GatewayException chatFailure(ProviderAdapter adapter, ChatRequest chat) {
        return failure(chatSink(adapter, request(chat)));
    }

    static RecordingStreamSink stream(ProviderAdapter adapter, ChatRequest chat) {
        return stream(adapter, streamRequest(chat));
    }

    static RecordingStreamSink stream(ProviderAdapter adapter, ProviderRequest request) {
        RecordingStreamSink sink = new RecordingStreamSink();
        onCallThread(call -> adapter.streamChat(request, call, sink), sink::fail, () -> sink.awaitEnd(WAIT));
        return sink;
    }

    static RecordingResponseSink<EmbeddingsResponse> embeddingsSink(ProviderAdapter adapter, String body) {
        RecordingResponseSink<EmbeddingsResponse> sink = new RecordingResponseSink<>();
        onCallThread(call -> ((SupportsEmbeddings) adapter).embeddings(embeddingsRequest(body), call, sink), sink::fail,
                () -> sink.awaitEnd(WAIT));
        return sink;
    }

    static EmbeddingsResponse embeddings(ProviderAdapter adapter, String body) {
        return translated(embeddingsSink(adapter, body));
    }

    static GatewayException embeddingsFailure(ProviderAdapter adapter, String body) {
        return failure(embeddingsSink(adapter, body));
    }

    /** Starts a chat on {@code call}, taking a thrown {@link GatewayException} as reported to the sink. */
    static void startChat(ProviderAdapter adapter, ChatRequest chat, ProviderCall call, ResponseSink<ChatResponse> sink) {
        reporting(() -> adapter.chat(request(chat), call, sink), sink::fail);
    }

    static void startStream(ProviderAdapter adapter, ChatRequest chat, ProviderCall call, StreamSink sink) {
        reporting(() -> adapter.streamChat(streamRequest(chat), call, sink), sink::fail);
    }

    static void startEmbeddings(ProviderAdapter adapter, String body, ProviderCall call, ResponseSink<EmbeddingsResponse> sink) {
        reporting(() -> ((SupportsEmbeddings) adapter).embeddings(embeddingsRequest(body), call, sink), sink::fail);
    }

    /** Starts a call on its own thread, as the kernel does, and waits for its end before closing it. */
    private static void onCallThread(Consumer<ProviderCall> start, Consumer<GatewayException> fail, Runnable awaitEnd) {
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            call.runOnCallThread(() -> reporting(() -> start.accept(call), fail));
            awaitEnd.run();
        }
    }

    private static void reporting(Runnable start, Consumer<GatewayException> fail) {
        try {
            start.run();
        } catch (GatewayException e) {
            fail.accept(e);
        }
    }

    private static <T> T translated(RecordingResponseSink<T> sink) {
        assertThat(sink.error()).as("failure").isNull();
        assertThat(sink.kind()).isEqualTo(RecordingResponseSink.Kind.TRANSLATED);
        return sink.response();
    }

    private static GatewayException failure(RecordingResponseSink<?> sink) {
        assertThat(sink.kind()).isEqualTo(RecordingResponseSink.Kind.FAILED);
        return sink.error();
    }

    /** The tool calls of an answer, in order. */
    static List<ContentBlock.ToolUse> toolUses(ChatResponse response) {
        return response.content().stream()
                .filter(ContentBlock.ToolUse.class::isInstance)
                .map(ContentBlock.ToolUse.class::cast)
                .toList();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    static int words(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
