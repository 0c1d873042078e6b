package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.Warnings;
import dev.tollgate.formats.openai.OpenAiChatRequests;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class TestSupport {

    static final String KEY_ID = "AKIDEXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final String PATH = "models.claude.deployments[0].config";
    static final String UPSTREAM_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final String REQUEST_ID = "req-42";
    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Warnings NO_WARNINGS = (what, value) -> { };
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestSupport() {}

    static PluginConfig config(Map<String, ?> values) {
        return PluginConfig.of(PATH, values, Set.of(BedrockConfig.ACCESS_KEY_ID, BedrockConfig.SECRET_ACCESS_KEY,
                BedrockConfig.SESSION_TOKEN));
    }

    /** A config with the example key, region us-east-1 and {@code extra}. */
    static Map<String, Object> withKey(Object... extra) {
        Map<String, Object> m = new HashMap<>();
        m.put("access_key_id", KEY_ID);
        m.put("secret_access_key", SECRET);
        m.put("region", "us-east-1");
        m.put("endpoint", "http://bedrock.test");
        for (int i = 0; i < extra.length; i += 2) {
            m.put((String) extra[i], extra[i + 1]);
        }
        return m;
    }

    static BedrockAdapter adapter(Map<String, ?> values) {
        return (BedrockAdapter) new BedrockProviderFactory(Map.of(), Path.of("/nonexistent-home"))
                .create(config(values), new FakePluginContext("provider-bedrock", CLOCK, null));
    }

    static BedrockAdapter adapter(Map<String, ?> values, Warnings warnings) {
        return new BedrockAdapter(BedrockConfig.from(config(values), Map.of(), Path.of("/nonexistent-home")), CLOCK, warnings);
    }

    static String fixture(String name) {
        try (InputStream in = TestSupport.class.getResourceAsStream("/fixtures/bedrock/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChatRequest openAi(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return OpenAiChatRequests.parse(b, 0, b.length, NO_WARNINGS);
    }

    static ProviderRequest translated(ChatRequest chat) {
        return translated(chat, UPSTREAM_MODEL);
    }

    static ProviderRequest translated(ChatRequest chat, String upstreamModel) {
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_CHAT, chat.model()).stream(chat.stream())
                .includeUsage(chat.includeUsage()).maxTokens(chat.maxTokens().orElse(-1)).build();
        return ProviderRequest.builder(REQUEST_ID, facts, () -> chat).deployment(chat.model() + "#0", upstreamModel).build();
    }

    static RecordingResponseSink<ChatResponse> answer(BedrockAdapter adapter, ProviderRequest request, UpstreamHttp http) {
        RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
        try (FakeProviderCall call = new FakeProviderCall(REQUEST_ID, http)) {
            call.runOnCallThread(() -> adapter.chat(request, call, sink));
            return sink.awaitEnd(WAIT);
        }
    }

    static RecordingStreamSink stream(BedrockAdapter adapter, ProviderRequest request, UpstreamHttp http) {
        RecordingStreamSink sink = new RecordingStreamSink();
        try (FakeProviderCall call = new FakeProviderCall(REQUEST_ID, http)) {
            call.runOnCallThread(() -> adapter.streamChat(request, call, sink));
            return sink.awaitEnd(WAIT);
        }
    }

    /** Re-signs a request the adapter sent, from what it sent, with the example credentials. */
    static SigV4.Signature resign(UpstreamRequest sent) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("host", BedrockAdapter.hostHeader(sent.uri())));
        String signed = sent.headers().first("authorization").orElseThrow().replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
        for (String name : signed.split(";")) {
            if (!name.equals("host")) {
                headers.add(Map.entry(name, sent.headers().first(name).orElseThrow()));
            }
        }
        return SigV4.sign(sent.method(), sent.uri().getRawPath(), sent.uri().getRawQuery(), headers,
                SigV4.sha256Hex(sent.body().toArray()), new AwsCredentials(KEY_ID, SECRET, null, "test"), "us-east-1", "bedrock");
    }
}
