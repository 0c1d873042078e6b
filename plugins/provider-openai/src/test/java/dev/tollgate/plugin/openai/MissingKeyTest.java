package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.answer;
import static dev.tollgate.plugin.openai.TestSupport.chat;
import static dev.tollgate.plugin.openai.TestSupport.streamChat;
import static dev.tollgate.spi.testkit.SseFixtures.sse;
import static dev.tollgate.spi.testkit.SseFixtures.stopChunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An {@code api_key} that is configured but resolved empty ({@code ${env:OPENAI_API_KEY:-}} with the variable
 * unset) fails every call with 502 {@code upstream_auth_missing} and calls nothing; no {@code api_key} at all
 * (a local server) calls without credentials.
 */
class MissingKeyTest {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private final ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, SseFixtures.completion("c", "m", "ok", 1, 1)));

    private static ProviderRequest translated(boolean stream) {
        ChatRequest chat = ChatRequest.builder().model("claude-sonnet").addMessage(Message.user("hi")).maxTokens(16).stream(stream).build();
        return TestRequests.translated("req-1", WireFormat.ANTHROPIC_MESSAGES, chat, "gpt-4o");
    }

    private static void assertAuthMissing(GatewayException e) {
        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_SERVER);
        assertThat(e.code()).isEqualTo("upstream_auth_missing");
        assertThat(e.getMessage()).contains("api_key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void emptyKeyFailsEveryCallBeforeCallingTheUpstream(String key) {
        OpenAiAdapter adapter = adapter(Map.of("api_key", key));

        assertAuthMissing(answer(adapter, chat(BODY), http).error());
        assertAuthMissing(answer(adapter, translated(false), http).error());
        assertAuthMissing(TestSupport.stream(adapter, streamChat(BODY, false), http).error());
        assertAuthMissing(TestSupport.stream(adapter, translated(true), http).error());
        assertAuthMissing(TestSupport.embeddings(adapter, TestRequests.embeddings("req-1", "embed", "{\"model\":\"embed\",\"input\":\"a\"}",
                "text-embedding-3-small"), http).error());
        assertThat(http.requests()).isEmpty();
    }

    @Test
    void emptyKeyWithAuthNoneCallsWithoutCredentials() {
        answer(adapter(Map.of("api_key", "", "auth", "none", "api_base", "http://localhost:8000/v1")), chat(BODY), http);

        UpstreamRequest r = http.onlyRequest();
        assertThat(r.headers().first("Authorization")).isEmpty();
        assertThat(r.headers().first("api-key")).isEmpty();
    }

    @Test
    void absentKeyCallsALocalServerWithoutCredentials() {
        ScriptedUpstreamHttp local = ScriptedUpstreamHttp.always(Reply.eventStream(List.of(sse(stopChunk("c", "m"), "[DONE]"))));

        RecordingStreamSink sink = TestSupport.stream(adapter(Map.of("api_base", "http://localhost:11434/v1")), streamChat(BODY, false), local);

        assertThat(sink.completed()).isTrue();
        UpstreamRequest r = local.onlyRequest();
        assertThat(r.uri()).hasToString("http://localhost:11434/v1/chat/completions");
        assertThat(r.headers().first("Authorization")).isEmpty();
        assertThat(r.headers().first("api-key")).isEmpty();
    }
}
