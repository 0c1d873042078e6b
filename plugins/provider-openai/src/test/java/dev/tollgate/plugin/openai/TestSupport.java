package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.TestRequests;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

final class TestSupport {

    static final String KEY = "sk-test-SECRET-0123456789abcdef";
    static final String PATH = "models.gpt-4o.deployments[0].config";
    static final String MODEL = "gpt-4o";
    static final String UPSTREAM_MODEL = "gpt-4o-2024-08-06";
    static final String REQUEST_ID = "req-42";
    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Warnings NO_WARNINGS = (what, value) -> { };
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestSupport() {}

    static PluginConfig config(Map<String, ?> values) {
        return PluginConfig.of(PATH, values, Set.of(OpenAiConfig.API_KEY, OpenAiConfig.API_KEYS));
    }

    static OpenAiAdapter adapter(Map<String, ?> values) {
        ProviderAdapter a = new OpenAiProviderFactory().create(config(values),
                new FakePluginContext("provider-openai", CLOCK, null));
        assertThat(a).isInstanceOf(OpenAiAdapter.class);
        return (OpenAiAdapter) a;
    }

    static OpenAiAdapter adapter() {
        return adapter(Map.of("api_key", KEY));
    }

    static ErrorMapping errors() {
        return new ErrorMapping(OpenAiConfig.from(config(Map.of("api_key", KEY))), CLOCK);
    }

    /** A pass-through, non-streamed OpenAI request for {@link #MODEL}, deployed as {@link #UPSTREAM_MODEL}. */
    static ProviderRequest chat(String body) {
        return TestRequests.openAiChat(REQUEST_ID, MODEL, false, false, body, UPSTREAM_MODEL);
    }

    /** A pass-through, streamed OpenAI request; {@code includeUsage} is whether the client asked for the usage chunk. */
    static ProviderRequest streamChat(String body, boolean includeUsage) {
        return TestRequests.openAiChat(REQUEST_ID, MODEL, true, includeUsage, body, UPSTREAM_MODEL);
    }

    /** Runs a non-streamed call on the call's thread, as the kernel does, and waits for its one answer. */
    static RecordingResponseSink<ChatResponse> answer(OpenAiAdapter adapter, ProviderRequest request, UpstreamHttp http) {
        RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
        try (FakeProviderCall call = new FakeProviderCall(REQUEST_ID, http)) {
            call.runOnCallThread(() -> adapter.chat(request, call, sink));
            return sink.awaitEnd(WAIT);
        }
    }

    /** Runs a streamed call on the call's thread and waits until the stream completed or failed. */
    static RecordingStreamSink stream(OpenAiAdapter adapter, ProviderRequest request, UpstreamHttp http) {
        RecordingStreamSink sink = new RecordingStreamSink();
        try (FakeProviderCall call = new FakeProviderCall(REQUEST_ID, http)) {
            call.runOnCallThread(() -> adapter.streamChat(request, call, sink));
            return sink.awaitEnd(WAIT);
        }
    }

    /**
     * An upstream that answers every streamed request with {@code status}, {@code headers} and the body in
     * {@code pieces}, then completes, or fails with {@code failure} when it is not null.
     */
    static UpstreamHttp upstream(int status, Headers headers, List<byte[]> pieces, GatewayException failure) {
        return new UpstreamHttp() {
            @Override
            public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
                throw new UnsupportedOperationException("this upstream only streams");
            }

            @Override
            public void stream(UpstreamRequest request, ResponseHandler handler) {
                handler.onHeaders(status, headers);
                pieces.forEach(p -> handler.onBody(ByteBuffer.wrap(p).asReadOnlyBuffer()));
                if (failure == null) {
                    handler.onComplete();
                } else {
                    handler.onError(failure);
                }
            }
        };
    }

    static RecordingResponseSink<EmbeddingsResponse> embeddings(OpenAiAdapter adapter, EmbeddingsRequest request, UpstreamHttp http) {
        RecordingResponseSink<EmbeddingsResponse> sink = new RecordingResponseSink<>();
        try (FakeProviderCall call = new FakeProviderCall(request.requestId(), http)) {
            call.runOnCallThread(() -> adapter.embeddings(request, call, sink));
            return sink.awaitEnd(WAIT);
        }
    }
}
