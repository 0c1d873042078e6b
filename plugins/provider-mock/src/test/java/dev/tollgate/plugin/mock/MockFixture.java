package dev.tollgate.plugin.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ApiFormat;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingChunkSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Builds mock adapters and requests, and runs calls the way the kernel does: started on the call's thread. */
final class MockFixture {

    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final String MODEL = "client-model";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();

    private MockFixture() {}

    static ProviderAdapter adapter(Map<String, ?> config) {
        return new MockProviderFactory().create(PluginConfig.of("models.demo.deployments[0].config", config),
                new FakePluginContext("provider-mock", Clock.fixed(NOW, ZoneOffset.UTC), null));
    }

    static String userPrompt(String text) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    static ChatRequest chatRequest(String body, boolean stream) {
        return new ChatRequest("req-1", MODEL, "mock-upstream", stream, true, ApiFormat.OPENAI_CHAT, Bytes.utf8(body));
    }

    static EmbeddingsRequest embeddingsRequest(String body) {
        return new EmbeddingsRequest("req-1", MODEL, "mock-upstream", Bytes.utf8(body));
    }

    static ProviderResult chat(ProviderAdapter adapter, String body) {
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            AtomicReference<CompletionStage<ProviderResult>> stage = new AtomicReference<>();
            call.runOnCallThread(() -> stage.set(adapter.chat(chatRequest(body, false), call)));
            return await(stage.get());
        }
    }

    static GatewayException chatFailure(ProviderAdapter adapter, String body) {
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            AtomicReference<CompletionStage<ProviderResult>> stage = new AtomicReference<>();
            call.runOnCallThread(() -> stage.set(adapter.chat(chatRequest(body, false), call)));
            return awaitFailure(stage.get());
        }
    }

    static RecordingChunkSink stream(ProviderAdapter adapter, String body) {
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            RecordingChunkSink sink = new RecordingChunkSink();
            startStream(adapter, body, call, sink);
            return sink.awaitEnd(WAIT);
        }
    }

    static void startStream(ProviderAdapter adapter, String body, FakeProviderCall call, ChunkSink sink) {
        call.runOnCallThread(() -> adapter.streamChat(chatRequest(body, true), call, sink));
    }

    static ProviderResult embeddings(ProviderAdapter adapter, String body) {
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            AtomicReference<CompletionStage<ProviderResult>> stage = new AtomicReference<>();
            call.runOnCallThread(() -> stage.set(((SupportsEmbeddings) adapter).embeddings(embeddingsRequest(body), call)));
            return await(stage.get());
        }
    }

    static GatewayException embeddingsFailure(ProviderAdapter adapter, String body) {
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            AtomicReference<CompletionStage<ProviderResult>> stage = new AtomicReference<>();
            call.runOnCallThread(() -> stage.set(((SupportsEmbeddings) adapter).embeddings(embeddingsRequest(body), call)));
            return awaitFailure(stage.get());
        }
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the call did not succeed", e);
        }
    }

    static GatewayException awaitFailure(CompletionStage<?> stage) {
        try {
            Object value = stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(GatewayException.class);
            return (GatewayException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the call did not end", e);
        }
    }

    static JsonNode json(Bytes bytes) {
        try {
            return JSON.readTree(bytes.toArray());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + bytes.utf8(), e);
        }
    }

    static String content(ProviderResult result) {
        return json(result.body()).path("choices").path(0).path("message").path("content").asText();
    }

    static int words(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
