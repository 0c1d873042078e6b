package dev.tollgate.plugin.openai;

import static dev.tollgate.plugin.openai.TestSupport.KEY;
import static dev.tollgate.plugin.openai.TestSupport.adapter;
import static dev.tollgate.plugin.openai.TestSupport.embeddings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingResponseSink.Kind;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp.Reply;
import dev.tollgate.spi.testkit.SseFixtures;
import dev.tollgate.spi.testkit.TestRequests;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

    private static final EmbeddingsRequest REQUEST = TestRequests.embeddings("req-7", "embed",
            "{\"model\":\"embed\",\"input\":[\"a\",\"b\"],\"dimensions\":256}", "text-embedding-3-small");
    private static final String ANSWER = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
            + "\"embedding\":[0.0023064255,-0.009327292]}],\"model\":\"text-embedding-3-small\","
            + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";

    @Test
    void forwardsTheRequestWithTheUpstreamModelAndRelaysTheAnswer() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, ANSWER));

        RecordingResponseSink<EmbeddingsResponse> sink = embeddings(
                adapter(Map.of("api_key", KEY, "query", Map.of("api-version", "2024-10-21"))), REQUEST, http);

        UpstreamRequest r = http.onlyRequest();
        assertThat(r.uri()).hasToString("https://api.openai.com/v1/embeddings?api-version=2024-10-21");
        assertThat(r.headers().first("Authorization")).contains("Bearer " + KEY);
        assertThat(r.headers().first("Accept")).contains("application/json");
        assertThat(r.headers().first("X-Request-Id")).contains("req-7");
        assertThat(r.body().utf8()).isEqualTo(
                "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],\"dimensions\":256}");
        assertThat(sink.kind()).isEqualTo(Kind.NATIVE);
        assertThat(sink.body().utf8()).isEqualTo(ANSWER);
        assertThat(sink.observed().observedUsage()).contains(Usage.of(8, 0));
    }

    @Test
    void relaysABatchLargerThanTheHoldLimit() {
        StringBuilder b = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; b.length() <= NativeAnswer.HOLD_LIMIT; i++) {
            b.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":[0.0023064255,-0.009327292,0.015797347,-0.0077780345]}");
        }
        b.append("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":4096,\"total_tokens\":4096}}");
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);

        RecordingResponseSink<EmbeddingsResponse> sink = embeddings(adapter(), REQUEST,
                TestSupport.upstream(200, Headers.of("Content-Type", "application/json"), SseFixtures.split(bytes, 8192), null));

        assertThat(sink.relayed()).isTrue();
        assertThat(sink.kind()).isEqualTo(Kind.RELAYED);
        assertThat(sink.body().toArray()).isEqualTo(bytes);
        assertThat(sink.observed().observedUsage()).contains(Usage.of(4096, 0));
    }

    @Test
    void upstreamErrorIsMapped() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(400, SseFixtures.openAiError(
                "This model's maximum context length is 8192 tokens", "invalid_request_error", null)));

        GatewayException e = embeddings(adapter(), REQUEST, http).error();

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo(ErrorType.UPSTREAM_CLIENT);
        assertThat(e.code()).isEqualTo("invalid_request_error");
        assertThat(e.getMessage()).isEqualTo("This model's maximum context length is 8192 tokens");
    }

    @Test
    void answerWithoutDataIsMalformed() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, "{\"object\":\"list\"}"));

        GatewayException e = embeddings(adapter(), REQUEST, http).error();

        assertThat(e.code()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void chatCompletionIsNotAnEmbeddingsAnswer() {
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(Reply.json(200, SseFixtures.completion("c", "m", "hi", 1, 1)));

        GatewayException e = embeddings(adapter(), REQUEST, http).error();

        assertThat(e.code()).isEqualTo("upstream_malformed_response");
    }
}
