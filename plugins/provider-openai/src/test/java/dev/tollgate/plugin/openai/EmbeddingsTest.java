package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.await;
import static dev.tollgate.plugin.openai.TestSupport.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.Usage;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

    private static final EmbeddingsRequest REQUEST = new EmbeddingsRequest("req-7", "embed", "text-embedding-3-small",
            Bytes.utf8("{\"model\":\"embed\",\"input\":[\"a\",\"b\"],\"dimensions\":256}"));
    private static final String ANSWER = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
            + "\"embedding\":[0.0023064255,-0.009327292]}],\"model\":\"text-embedding-3-small\","
            + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";

    @Test
    void happyPath() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, ANSWER));
        ProviderResult result;
        try (FakeProviderCall call = new FakeProviderCall("req-7", http)) {
            OpenAiAdapter adapter = adapter(Map.of("api_key", KEY, "query", Map.of("api-version", "2024-10-21")));
            result = await(call, () -> adapter.embeddings(REQUEST, call));
        }

        UpstreamRequest r = http.onlyRequest();
        assertThat(r.uri()).hasToString("https://api.openai.com/v1/embeddings?api-version=2024-10-21");
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("X-Request-Id")).contains("req-7");
        assertThat(r.body().utf8()).isEqualTo(
                "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],\"dimensions\":256}");
        assertThat(result.body().utf8()).isEqualTo(ANSWER);
        assertThat(result.usage()).isEqualTo(Usage.of(8, 0));
    }

    @Test
    void upstreamErrorIsMapped() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(400, SseFixtures.openAiError(
                "This model's maximum context length is 8192 tokens", "invalid_request_error", null)));
        GatewayException e;
        try (FakeProviderCall call = new FakeProviderCall("req-7", http)) {
            OpenAiAdapter adapter = adapter();
            e = awaitFailure(call, () -> adapter.embeddings(REQUEST, call));
        }

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
        assertThat(e.code()).isEqualTo("invalid_request_error");
        assertThat(e.getMessage()).isEqualTo("This model's maximum context length is 8192 tokens");
    }

    @Test
    void answerWithoutDataIsMalformed() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, "{\"object\":\"list\"}"));
        GatewayException e;
        try (FakeProviderCall call = new FakeProviderCall("req-7", http)) {
            OpenAiAdapter adapter = adapter();
            e = awaitFailure(call, () -> adapter.embeddings(REQUEST, call));
        }

        assertThat(e.code()).isEqualTo("upstream_malformed_response");
    }
}
