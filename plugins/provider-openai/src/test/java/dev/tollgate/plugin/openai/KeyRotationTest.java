package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.UPSTREAM_MODEL;
import static dev.tollgate.plugin.openai.TestSupport.answer;
import static dev.tollgate.plugin.openai.TestSupport.chat;
import static dev.tollgate.plugin.openai.TestSupport.config;
import static dev.tollgate.plugin.openai.TestSupport.streamChat;
import static dev.tollgate.spi.testkit.SseFixtures.sse;
import static dev.tollgate.spi.testkit.SseFixtures.stopChunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.ManualTime;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code api_keys}: requests take the keys in turn; a key answered 401, 402, 403 or 429 sits out
 * its cooldown on the plugin's ticker; with every key sidelined the one back soonest is still used.
 */
class KeyRotationTest {

    private static final String A = "sk-rotate-AAAA-q7Hc2Lw9Rt4Vx1Bn";
    private static final String B = "sk-rotate-BBBB-M3zK8dF5sJ0pGa";
    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String OK = SseFixtures.completion("chatcmpl-1", UPSTREAM_MODEL, "hello", 3, 1);

    private final ManualTime time = new ManualTime();
    private final FakePluginContext context = new FakePluginContext("provider-openai", time, null);
    /** Per key, the replies still to give before answering 200. */
    private final Map<String, List<Reply>> script = new HashMap<>();
    private final ScriptedUpstreamHttp http = ScriptedUpstreamHttp.answering(r -> {
        List<Reply> queue = script.get(keyOf(r));
        return queue == null || queue.isEmpty() ? Reply.json(200, OK) : queue.remove(0);
    });
    private final OpenAiAdapter adapter = adapter(Map.of("api_keys", List.of(A, B)));

    private OpenAiAdapter adapter(Map<String, ?> values) {
        return (OpenAiAdapter) new OpenAiProviderFactory().create(config(values), context);
    }

    private static String keyOf(UpstreamRequest r) {
        return r.headers().first("Authorization").orElse("none").replace("Bearer ", "");
    }

    private void then(String key, Reply... replies) {
        script.computeIfAbsent(key, k -> new ArrayList<>()).addAll(List.of(replies));
    }

    /** Makes {@code n} non-streamed pass-through calls and returns the key each used. */
    private List<String> calls(int n) {
        int before = http.requests().size();
        for (int i = 0; i < n; i++) {
            answer(adapter, chat(BODY), http);
        }
        return http.requests().subList(before, http.requests().size()).stream().map(KeyRotationTest::keyOf).toList();
    }

    private static Reply error(int status, String message) {
        return Reply.json(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\"}}");
    }

    @Test
    void keysAreUsedInTurn() {
        assertThat(calls(4)).containsExactly(A, B, A, B);
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 402, 403, 429})
    void aKeyRefusedWithAnAuthOrRateLimitStatusIsSidelinedAndTheNextRequestsUseTheOther(int status) {
        then(A, error(status, "no"));

        GatewayException failed = answer(adapter, chat(BODY), http).error();

        assertThat(failed).as("the upstream's answer reaches the kernel; the adapter does not retry by itself").isNotNull();
        assertThat(calls(3)).containsExactly(B, B, B);
    }

    @Test
    void otherFailuresDoNotSidelineAKey() {
        then(A, error(500, "boom"), error(400, "bad"));

        assertThat(calls(4)).containsExactly(A, B, A, B);
        assertThat(calls(2)).containsExactly(A, B);
    }

    @Test
    void aRateLimitedKeyReturnsWhenItsRetryAfterHasPassed() {
        then(A, error(429, "slow down").withHeader("Retry-After", "20"));
        calls(1);

        time.advance(Duration.ofSeconds(19));
        assertThat(calls(2)).containsExactly(B, B);
        time.advance(Duration.ofSeconds(1));
        assertThat(calls(2)).containsExactly(A, B);
    }

    @Test
    void aRateLimitCooldownIsCappedAndHasADefaultWithoutRetryAfter() {
        then(A, error(429, "slow down").withHeader("Retry-After", "3600"));
        calls(1);
        time.advance(KeyPool.MAX_RATE_LIMIT_COOLDOWN.minusSeconds(1));
        assertThat(calls(1)).containsExactly(B);
        time.advance(Duration.ofSeconds(1));
        assertThat(calls(2)).containsExactly(A, B);

        then(A, error(429, "slow down"));
        assertThat(calls(1)).containsExactly(A);
        time.advance(KeyPool.DEFAULT_RATE_LIMIT_COOLDOWN.minusSeconds(1));
        assertThat(calls(1)).containsExactly(B);
        time.advance(Duration.ofSeconds(1));
        assertThat(calls(2)).containsExactly(A, B);
    }

    @Test
    void aRevokedKeySitsOutTheAuthCooldown() {
        then(A, error(401, "invalid key"));
        calls(1);

        time.advance(KeyPool.AUTH_COOLDOWN.minusSeconds(1));
        assertThat(calls(3)).containsExactly(B, B, B);
        time.advance(Duration.ofSeconds(1));
        assertThat(calls(2)).containsExactly(A, B);
    }

    @Test
    void withEveryKeySidelinedTheOneBackSoonestIsStillTried() {
        then(A, error(429, "a").withHeader("Retry-After", "30"));
        then(B, error(429, "b").withHeader("Retry-After", "10"), error(429, "b again").withHeader("Retry-After", "10"));
        calls(2);

        GatewayException e = answer(adapter, chat(BODY), http).error();

        assertThat(keyOf(http.requests().get(2))).isEqualTo(B);
        assertThat(e).as("the upstream's 429, not a local refusal").isNotNull();
        assertThat(e.status()).isEqualTo(429);
        assertThat(calls(1)).as("B failed again at 0 s, until 10 s; A is back at 30 s").containsExactly(B);
    }

    @Test
    void streamsAndTranslatedCallsRotateToo() {
        then(A, error(429, "slow").withHeader("Retry-After", "5"));
        ScriptedUpstreamHttp streams = ScriptedUpstreamHttp.answering(r -> {
            List<Reply> queue = script.get(keyOf(r));
            return queue == null || queue.isEmpty() ? Reply.eventStream(List.of(sse(stopChunk("c", "m"), "[DONE]"))) : queue.remove(0);
        });
        assertThat(TestSupport.stream(adapter, streamChat(BODY, false), streams).error()).isNotNull();
        assertThat(TestSupport.stream(adapter, streamChat(BODY, false), streams).completed()).isTrue();
        assertThat(keyOf(streams.requests().get(1))).isEqualTo(B);

        then(B, error(403, "forbidden"));
        ChatRequest canonical = ChatRequest.builder().model("claude").addMessage(Message.user("hi")).maxTokens(8).build();
        answer(adapter, TestRequests.translated("req-1", WireFormat.ANTHROPIC_MESSAGES, canonical, "gpt-4o"), http);
        assertThat(keyOf(http.requests().getLast())).isEqualTo(B);
        time.advance(Duration.ofSeconds(5));
        assertThat(calls(2)).as("B sidelined by the translated call's 403; A back").containsExactly(A, A);
    }

    @Test
    void noKeyIsShownInMessagesLogsOrTheConfig() {
        then(A, error(429, "key " + A + " is over its limit"));
        then(B, error(400, "key " + B + " sent a bad request"));

        GatewayException ea = answer(adapter, chat(BODY), http).error();
        GatewayException eb = answer(adapter, chat(BODY), http).error();

        List<String> shown = new ArrayList<>(context.logLines());
        shown.add(ea.getMessage());
        shown.add(eb.getMessage());
        shown.add(adapter.toString());
        shown.add(OpenAiConfig.from(config(Map.of("api_keys", List.of(A, B)))).toString());
        assertThat(shown).noneMatch(s -> s.contains(A) || s.contains(B));
        assertThat(ea.getMessage()).contains("***");
    }

    @Test
    void configRefusesBothFormsAndAnEmptyListAndTreatsAllEmptyKeysAsMissing() {
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("api_key", A, "api_keys", List.of(B)))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("api_keys").hasMessageNotContaining(A);
        assertThatThrownBy(() -> OpenAiConfig.from(config(Map.of("api_keys", List.of()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("api_keys");

        OpenAiConfig empty = OpenAiConfig.from(config(Map.of("api_keys", List.of("", " "))));
        assertThat(empty.keyMissing()).isTrue();
        OpenAiConfig one = OpenAiConfig.from(config(Map.of("api_keys", List.of("", B))));
        assertThat(one.keyMissing()).isFalse();
        assertThat(one.apiKeys()).containsExactly(B);
        assertThat(calls(0)).isEmpty();
        assertThat(answer(adapter(Map.of("api_keys", List.of("", ""))), chat(BODY), http).error().code()).isEqualTo("upstream_auth_missing");
    }

    @Test
    void anAzureDeploymentRotatesTheApiKeyHeader() {
        OpenAiAdapter azure = adapter(Map.of("preset", "azure", "endpoint", "https://x.openai.azure.com", "deployment", "d",
                "api_keys", List.of(A, B)));
        ScriptedUpstreamHttp h = ScriptedUpstreamHttp.always(Reply.json(200, OK));
        answer(azure, chat(BODY), h);
        answer(azure, chat(BODY), h);

        assertThat(h.requests()).extracting(r -> r.headers().first("api-key").orElseThrow()).containsExactly(A, B);
        assertThat(h.requests()).allMatch(r -> r.headers().first("Authorization").isEmpty());
    }
}
