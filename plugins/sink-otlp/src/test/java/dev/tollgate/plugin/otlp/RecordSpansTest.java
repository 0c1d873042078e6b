package dev.tollgate.plugin.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.sink.RequestRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordSpansTest {

    private static final long START = Records.STARTED.getEpochSecond() * 1_000_000_000L + Records.STARTED.getNano();

    private final RecordSpans spans = new RecordSpans(OtlpSink.resource("gateway-eu"), OtlpSink.scope());

    @Test
    void aRequestIsAServerSpanWithTheKernelsIdsUnderTheClientsSpan() {
        SpanData request = spans.spans(Records.retried("req-1").build()).getFirst();

        assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(request.getName()).isEqualTo("chat gpt-4o");
        assertThat(request.getTraceId()).isEqualTo(Records.TRACE);
        assertThat(request.getSpanId()).isEqualTo(Records.SPAN);
        assertThat(request.getParentSpanId()).isEqualTo(Records.CLIENT_SPAN);
        assertThat(request.getParentSpanContext().getTraceId()).isEqualTo(Records.TRACE);
        assertThat(request.getSpanContext().isSampled()).isTrue();
        assertThat(request.getStartEpochNanos()).isEqualTo(START);
        assertThat(request.getEndEpochNanos()).isEqualTo(START + 900_000_000L);
        assertThat(request.hasEnded()).isTrue();
        assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aTraceTheGatewayStartedHasARootRequestSpan() {
        SpanData request = spans.spans(Records.retried("req-1").span(Records.SPAN, null, List.of(Records.FIRST_ATTEMPT,
                Records.SECOND_ATTEMPT)).build()).getFirst();

        assertThat(request.getParentSpanContext().isValid()).isFalse();
        assertThat(request.getParentSpanId()).isEqualTo("0000000000000000");
    }

    @Test
    void theRequestSpanCarriesTheGenAiConventionsAndTheGatewaysOwnAttributes() {
        SpanData request = spans.spans(Records.retried("req-1").build()).getFirst();

        var a = request.getAttributes();
        assertThat(a.get(RecordSpans.OPERATION)).isEqualTo("chat");
        assertThat(a.get(RecordSpans.REQUEST_MODEL)).isEqualTo("gpt-4o");
        assertThat(a.get(RecordSpans.RESPONSE_MODEL)).isEqualTo("gpt-4o-2024-08-06");
        assertThat(a.get(RecordSpans.PROVIDER)).isEqualTo("openai");
        assertThat(a.get(RecordSpans.INPUT_TOKENS)).isEqualTo(1200L);
        assertThat(a.get(RecordSpans.OUTPUT_TOKENS)).isEqualTo(340L);
        assertThat(a.get(RecordSpans.CACHE_READ_TOKENS)).isEqualTo(1000L);
        assertThat(a.get(RecordSpans.CACHE_WRITE_TOKENS)).isEqualTo(150L);
        assertThat(a.get(RecordSpans.REASONING_TOKENS)).isEqualTo(90L);
        assertThat(a.get(RecordSpans.HTTP_STATUS)).isEqualTo(200L);
        assertThat(a.get(RecordSpans.ERROR_TYPE)).isNull();
        assertThat(a.get(RecordSpans.REQUEST_ID)).isEqualTo("req-1");
        assertThat(a.get(RecordSpans.DEPLOYMENT)).isEqualTo("gpt-4o#1");
        assertThat(a.get(RecordSpans.COST_MICROS)).isEqualTo(4_321L);
        assertThat(a.get(RecordSpans.COST_USD)).isEqualTo(0.004321);
        assertThat(a.get(RecordSpans.KEY_ID)).isEqualTo("key_01");
        assertThat(a.get(RecordSpans.TEAM_ID)).isEqualTo("team_7");
        assertThat(a.get(RecordSpans.STREAM)).isTrue();
        assertThat(a.get(RecordSpans.CACHE)).isEqualTo("miss");
        assertThat(a.get(RecordSpans.TTFT)).isEqualTo(0.45);
        assertThat(a.get(RecordSpans.ATTEMPTS)).isEqualTo(2L);
        assertThat(a.asMap().keySet()).extracting(AttributeKey::getKey)
                .as("no key name, no end user, no metadata on a span").noneMatch(k -> k.contains("key_name") || k.contains("user")
                        || k.contains("metadata"));
        assertThat(a.asMap().values()).doesNotContain("ci-bot", "user-42");
        assertThat(request.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("gateway-eu");
        assertThat(request.getInstrumentationScopeInfo().getName()).isEqualTo(OtlpSink.SCOPE_NAME);
    }

    @Test
    void eachAttemptIsAClientSpanUnderTheRequestWithTheSpanIdTheUpstreamSaw() {
        List<SpanData> all = spans.spans(Records.retried("req-1").build());

        assertThat(all).hasSize(3);
        SpanData first = all.get(1);
        SpanData second = all.get(2);
        assertThat(first.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(first.getSpanId()).isEqualTo(Records.FIRST_ATTEMPT);
        assertThat(second.getSpanId()).isEqualTo(Records.SECOND_ATTEMPT);
        assertThat(first.getParentSpanId()).isEqualTo(Records.SPAN);
        assertThat(second.getParentSpanId()).isEqualTo(Records.SPAN);
        assertThat(first.getTraceId()).isEqualTo(Records.TRACE);
        assertThat(second.getTraceId()).isEqualTo(Records.TRACE);
    }

    @Test
    void attemptsAreLaidEndToEndFromTheRequestsStart() {
        List<SpanData> all = spans.spans(Records.retried("req-1").build());

        assertThat(all.get(1).getStartEpochNanos()).isEqualTo(START);
        assertThat(all.get(1).getEndEpochNanos()).isEqualTo(START + 300_000_000L);
        assertThat(all.get(2).getStartEpochNanos()).isEqualTo(START + 300_000_000L);
        assertThat(all.get(2).getEndEpochNanos()).isEqualTo(START + 800_000_000L);
    }

    @Test
    void anAttemptNeverOutlastsItsRequest() {
        RequestRecord r = Records.retried("req-1").latencyMicros(600_000).build();

        List<SpanData> all = spans.spans(r);

        assertThat(all.get(2).getStartEpochNanos()).isEqualTo(START + 300_000_000L);
        assertThat(all.get(2).getEndEpochNanos()).isEqualTo(START + 600_000_000L);
    }

    @Test
    void theFailedAttemptIsAnErrorWithItsCodeAndTheAnsweringOneNamesTheModelAtTheProvider() {
        List<SpanData> all = spans.spans(Records.retried("req-1").build());
        SpanData failed = all.get(1);
        SpanData answered = all.get(2);

        assertThat(failed.getName()).as("its upstream model is not in the record").isEqualTo("chat gpt-4o#0");
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.getStatus().getDescription()).isEqualTo("upstream_timeout");
        assertThat(failed.getAttributes().get(RecordSpans.ERROR_TYPE)).isEqualTo("upstream_timeout");
        assertThat(failed.getAttributes().get(RecordSpans.ATTEMPT_RESULT)).isEqualTo("failed");
        assertThat(failed.getAttributes().get(RecordSpans.ATTEMPT_INDEX)).isEqualTo(0L);
        assertThat(failed.getAttributes().get(RecordSpans.DEPLOYMENT)).isEqualTo("gpt-4o#0");
        assertThat(failed.getAttributes().get(RecordSpans.INPUT_TOKENS)).isNull();

        assertThat(answered.getName()).isEqualTo("chat gpt-4o-2024-08-06");
        assertThat(answered.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(answered.getAttributes().get(RecordSpans.REQUEST_MODEL)).isEqualTo("gpt-4o-2024-08-06");
        assertThat(answered.getAttributes().get(RecordSpans.PROVIDER)).isEqualTo("openai");
        assertThat(answered.getAttributes().get(RecordSpans.OPERATION)).isEqualTo("chat");
        assertThat(answered.getAttributes().get(RecordSpans.INPUT_TOKENS)).isEqualTo(1200L);
        assertThat(answered.getAttributes().get(RecordSpans.ATTEMPT_RESULT)).isEqualTo("succeeded");
        assertThat(answered.getAttributes().get(RecordSpans.TTFT)).isEqualTo(0.12);
    }

    @Test
    void aFailedRequestIsAnErrorWithItsCodeAndFault() {
        RequestRecord r = Records.retried("req-1").status(502).errorCode("upstream_error").errorType("upstream_server")
                .usage(null).cost(Cost.unknown()).build();

        SpanData request = spans.spans(r).getFirst();

        assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(request.getStatus().getDescription()).isEqualTo("upstream_error");
        assertThat(request.getAttributes().get(RecordSpans.ERROR_TYPE)).isEqualTo("upstream_error");
        assertThat(request.getAttributes().get(RecordSpans.FAULT)).isEqualTo("upstream_server");
        assertThat(request.getAttributes().get(RecordSpans.HTTP_STATUS)).isEqualTo(502L);
        assertThat(request.getAttributes().get(RecordSpans.INPUT_TOKENS)).as("no usage: no token counts, not zeros").isNull();
        assertThat(request.getAttributes().get(RecordSpans.COST_USD)).as("unknown cost is not 0").isNull();
        assertThat(request.getAttributes().get(RecordSpans.COST_MICROS)).isNull();
    }

    @Test
    void aClientErrorWithAnErrorTypeIsAnErrorAndAFiveHundredWithoutCodeToo() {
        RequestRecord refused = Records.retried("req-1").status(429).errorCode("rate_limit_exceeded").errorType("rate_limited")
                .build();
        RequestRecord bare = Records.retried("req-2").status(503).build();

        assertThat(spans.spans(refused).getFirst().getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        SpanData bareSpan = spans.spans(bare).getFirst();
        assertThat(bareSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(bareSpan.getAttributes().get(RecordSpans.ERROR_TYPE)).isEqualTo("_OTHER");
    }

    @Test
    void aCancelledAttemptIsNotAnError() {
        RequestRecord r = Records.retried("req-1").clientDisconnected(true).attempts(List.of(new AttemptRecord(0, "gpt-4o#1",
                AttemptRecord.Result.CANCELLED, null, Duration.ofMillis(200), null, null))).span(Records.SPAN, Records.CLIENT_SPAN,
                        List.of(Records.FIRST_ATTEMPT)).build();

        List<SpanData> all = spans.spans(r);

        assertThat(all.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(all.get(1).getAttributes().get(RecordSpans.ATTEMPT_RESULT)).isEqualTo("cancelled");
        assertThat(all.getFirst().getAttributes().get(RecordSpans.CLIENT_DISCONNECTED)).isTrue();
    }

    @Test
    void embeddingsAreTheEmbeddingsOperation() {
        RequestRecord r = RequestRecord.builder("req-1", Records.STARTED, "/v1/embeddings").model("text-embedding-3-small")
                .status(200).latencyMicros(10).traceId(Records.TRACE).span(Records.SPAN, null, List.of()).build();

        SpanData request = spans.spans(r).getFirst();

        assertThat(request.getName()).isEqualTo("embeddings text-embedding-3-small");
        assertThat(request.getAttributes().get(RecordSpans.OPERATION)).isEqualTo("embeddings");
        assertThat(request.getAttributes().get(RecordSpans.STREAM)).isFalse();
        assertThat(request.getAttributes().get(RecordSpans.CACHE)).isNull();
        assertThat(request.getAttributes().get(RecordSpans.TTFT)).isNull();
    }

    @Test
    void anAnthropicMessagesRequestIsChatAndAnUnknownEndpointPutsNoPathInTheName() {
        RequestRecord messages = RequestRecord.builder("req-1", Records.STARTED, "/v1/messages").model("claude").status(200)
                .traceId(Records.TRACE).span(Records.SPAN, null, List.of()).build();
        RequestRecord other = RequestRecord.builder("req-2", Records.STARTED, "/v1/whatever/123").status(404)
                .traceId(Records.TRACE).span(Records.SPAN, null, List.of()).build();

        assertThat(spans.spans(messages).getFirst().getName()).isEqualTo("chat claude");
        SpanData otherSpan = spans.spans(other).getFirst();
        assertThat(otherSpan.getName()).isEqualTo("tollgate");
        assertThat(otherSpan.getAttributes().get(RecordSpans.OPERATION)).isNull();
        assertThat(otherSpan.getAttributes().get(RecordSpans.ENDPOINT)).isEqualTo("/v1/whatever/123");
    }

    @Test
    void wellKnownProvidersGetTheConventionsNames() {
        assertThat(RecordSpans.providerName("anthropic")).isEqualTo("anthropic");
        assertThat(RecordSpans.providerName("gemini")).isEqualTo("gcp.gemini");
        assertThat(RecordSpans.providerName("bedrock")).isEqualTo("aws.bedrock");
        assertThat(RecordSpans.providerName("mock")).isEqualTo("mock");
    }

    @Test
    void aRecordWithoutATraceOrWithMalformedIdsHasNoSpans() {
        assertThat(spans.spans(Records.untraced("req-1"))).isEmpty();
        assertThat(spans.spans(Records.retried("req-2").traceId("not-a-trace").build())).isEmpty();
        assertThat(spans.spans(Records.retried("req-3").span(null, null, List.of()).build())).isEmpty();
        assertThat(spans.spans(Records.retried("req-4").traceId("00000000000000000000000000000000").build())).isEmpty();
    }

    @Test
    void anAttemptWithoutASpanIdOfItsOwnGetsNoSpan() {
        RequestRecord r = Records.retried("req-1").span(Records.SPAN, Records.CLIENT_SPAN, List.of("zz")).build();

        List<SpanData> all = spans.spans(r);

        assertThat(all).hasSize(1);
        assertThat(all.getFirst().getKind()).isEqualTo(SpanKind.SERVER);
    }

    @Test
    void theResourceNamesTheServiceAndTheBuildsVersion() {
        Resource resource = OtlpSink.resource("tollgate");
        InstrumentationScopeInfo scope = OtlpSink.scope();

        assertThat(resource.getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("tollgate");
        assertThat(resource.getAttribute(AttributeKey.stringKey("service.version"))).isNotBlank().doesNotContain("${");
        assertThat(scope.getVersion()).isEqualTo(resource.getAttribute(AttributeKey.stringKey("service.version")));
    }
}
