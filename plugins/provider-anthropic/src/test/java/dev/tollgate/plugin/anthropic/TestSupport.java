package dev.tollgate.plugin.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.formats.Warnings;
import dev.tollgate.formats.openai.OpenAiChatRequests;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.SseFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class TestSupport {

    static final String KEY = "sk-ant-api03-SECRET-0123456789abcdef";
    static final String PATH = "models.claude.deployments[0].config";
    static final String MODEL = "claude-sonnet";
    static final String UPSTREAM_MODEL = "claude-sonnet-4-5-20250929";
    static final String REQUEST_ID = "req-42";
    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Warnings NO_WARNINGS = (what, value) -> { };
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestSupport() {}

    static PluginConfig config(Map<String, ?> values) {
        return PluginConfig.of(PATH, values, Set.of(AnthropicConfig.API_KEY));
    }

    /** A config with {@link #KEY} and {@code extra}. */
    static Map<String, Object> withKey(Object... extra) {
        Map<String, Object> m = new HashMap<>();
        m.put("api_key", KEY);
        for (int i = 0; i < extra.length; i += 2) {
            m.put((String) extra[i], extra[i + 1]);
        }
        return m;
    }

    static AnthropicAdapter adapter(Map<String, ?> values) {
        return adapter(values, new FakePluginContext("provider-anthropic", CLOCK, null));
    }

    static AnthropicAdapter adapter(Map<String, ?> values, PluginContext context) {
        ProviderAdapter a = new AnthropicProviderFactory().create(config(values), context);
        assertThat(a).isInstanceOf(AnthropicAdapter.class);
        return (AnthropicAdapter) a;
    }

    static AnthropicAdapter adapter() {
        return adapter(withKey());
    }

    static ErrorMapping errors() {
        return new ErrorMapping(AnthropicConfig.from(config(withKey())), CLOCK);
    }

    static String fixture(String name) {
        try (InputStream in = TestSupport.class.getResourceAsStream("/fixtures/anthropic/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] fixtureBytes(String name) {
        return fixture(name).getBytes(StandardCharsets.UTF_8);
    }

    /** The data payloads of an SSE fixture, in order (each event's one {@code data:} line). */
    static List<String> sseData(String sse) {
        return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }

    /** An OpenAI Chat Completions body parsed as the kernel's codec does, for the translated path. */
    static ChatRequest openAi(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return OpenAiChatRequests.parse(b, 0, b.length, NO_WARNINGS);
    }

    static ProviderRequest translated(ChatRequest chat) {
        return translated(chat, null);
    }

    /** A translated request from an OpenAI client, with the catalog's {@code info} of the deployment's model. */
    static ProviderRequest translated(ChatRequest chat, ModelInfo info) {
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_CHAT, chat.model()).stream(chat.stream())
                .includeUsage(chat.includeUsage()).maxTokens(chat.maxTokens().orElse(-1)).build();
        return ProviderRequest.builder(REQUEST_ID, facts, () -> chat).deployment(chat.model() + "#0", UPSTREAM_MODEL)
                .modelInfo(info).build();
    }

    /** An Anthropic client's request that passes through, with the client's {@code anthropic-*} headers. */
    static ProviderRequest passThrough(String body, boolean stream, Headers clientHeaders) {
        RequestFacts facts = RequestFacts.builder(WireFormat.ANTHROPIC_MESSAGES, MODEL).stream(stream).includeUsage(stream).build();
        return ProviderRequest.builder(REQUEST_ID, facts, () -> {
            throw new AssertionError("a pass-through request must not be parsed into the canonical model");
        }).deployment(MODEL + "#0", UPSTREAM_MODEL).nativeBody(Bytes.utf8(body)).clientHeaders(clientHeaders).build();
    }

    static RecordingResponseSink<ChatResponse> answer(AnthropicAdapter adapter, ProviderRequest request, UpstreamHttp http) {
        RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
        try (FakeProviderCall call = new FakeProviderCall(REQUEST_ID, http)) {
            call.runOnCallThread(() -> adapter.chat(request, call, sink));
            return sink.awaitEnd(WAIT);
        }
    }

    static RecordingStreamSink stream(AnthropicAdapter adapter, ProviderRequest request, UpstreamHttp http) {
        RecordingStreamSink sink = new RecordingStreamSink();
        try (FakeProviderCall call = new FakeProviderCall(REQUEST_ID, http)) {
            call.runOnCallThread(() -> adapter.streamChat(request, call, sink));
            return sink.awaitEnd(WAIT);
        }
    }

    static List<byte[]> split(String sse, int size) {
        return SseFixtures.split(sse.getBytes(StandardCharsets.UTF_8), size);
    }
}
