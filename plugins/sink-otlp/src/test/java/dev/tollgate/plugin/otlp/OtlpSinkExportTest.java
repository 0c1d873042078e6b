package dev.tollgate.plugin.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import dev.tollgate.spi.testkit.FakePluginContext;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sink against a collector stand-in: what arrives over the wire, and what a failing collector does to {@code write}. */
class OtlpSinkExportTest {

    private final FakePluginContext context = new FakePluginContext();
    private CollectorStandIn collector;
    private final List<LogSink> sinks = new ArrayList<>();

    @BeforeEach
    void startCollector() throws IOException {
        collector = new CollectorStandIn();
    }

    @AfterEach
    void stop() {
        sinks.forEach(LogSink::close);
        collector.close();
    }

    private LogSink sink(Map<String, Object> extra) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("endpoint", collector.endpoint());
        values.put("timeout", "2s");
        values.putAll(extra);
        LogSink sink = new OtlpSinkFactory().create(PluginConfig.of("logging.sinks[0].config", values, Set.of("authorization")),
                context);
        sinks.add(sink);
        return sink;
    }

    @Test
    void recordsReachTheCollectorAsSpansWithTheirTraceIdsAndParentLinks() throws Exception {
        List<RequestRecord> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(Records.answered(i));
        }

        sink(Map.of()).write(batch);

        assertThat(collector.exports()).as("one batch, one export").hasSize(1);
        Map<String, Span> byId = collector.spans().stream().collect(Collectors.toMap(s -> hex(s.getSpanId()), Function.identity()));
        assertThat(byId).hasSize(40);
        for (RequestRecord r : batch) {
            Span request = byId.get(r.spanId().orElseThrow());
            Span attempt = byId.get(r.attemptSpanIds().getFirst());
            assertThat(hex(request.getTraceId())).isEqualTo(r.traceId().orElseThrow());
            assertThat(request.getParentSpanId()).as("the gateway started the trace: a root span").isEmpty();
            assertThat(request.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(hex(attempt.getTraceId())).isEqualTo(r.traceId().orElseThrow());
            assertThat(hex(attempt.getParentSpanId())).isEqualTo(r.spanId().orElseThrow());
            assertThat(attempt.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
            long start = r.startedAt().getEpochSecond() * 1_000_000_000L + r.startedAt().getNano();
            assertThat(request.getStartTimeUnixNano()).isEqualTo(start);
            assertThat(request.getEndTimeUnixNano()).isEqualTo(start + 2_000_000L);
            assertThat(attributes(request)).containsEntry("gen_ai.request.model", "mock")
                    .containsEntry("gen_ai.response.model", "mock-1").containsEntry("gen_ai.provider.name", "mock")
                    .containsEntry("gen_ai.operation.name", "chat").containsEntry("tollgate.request_id", r.requestId())
                    .containsEntry("gen_ai.usage.input_tokens", r.usage().orElseThrow().inputTokens())
                    .containsEntry("http.response.status_code", 200L);
        }
        var resource = collector.exports().getFirst().body().getResourceSpans(0).getResource();
        assertThat(resource.getAttributesList()).extracting(KeyValue::getKey).contains("service.name", "service.version");
        assertThat(context.metrics().counterValue("spans_exported_total")).isEqualTo(40);
    }

    @Test
    void theClientsSpanIsTheParentOfTheRequestAndErrorsArrive() throws Exception {
        RequestRecord r = Records.retried("req-1").status(502).errorCode("upstream_error").errorType("upstream_server").build();

        sink(Map.of()).write(List.of(r));

        Map<String, Span> byId = collector.spans().stream().collect(Collectors.toMap(s -> hex(s.getSpanId()), Function.identity()));
        assertThat(byId.keySet()).containsExactlyInAnyOrder(Records.SPAN, Records.FIRST_ATTEMPT, Records.SECOND_ATTEMPT);
        Span request = byId.get(Records.SPAN);
        assertThat(hex(request.getParentSpanId())).isEqualTo(Records.CLIENT_SPAN);
        assertThat(request.getName()).isEqualTo("chat gpt-4o");
        assertThat(request.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(attributes(request)).containsEntry("error.type", "upstream_error").containsEntry("tollgate.cost_usd", 0.004321)
                .containsEntry("tollgate.key_id", "key_01").containsEntry("gen_ai.usage.cache_read.input_tokens", 1000L);
        Span failed = byId.get(Records.FIRST_ATTEMPT);
        assertThat(failed.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(failed.getEndTimeUnixNano() - failed.getStartTimeUnixNano()).isEqualTo(300_000_000L);
    }

    @Test
    void untracedRecordsAreCountedAndNotSent() throws Exception {
        LogSink sink = sink(Map.of());

        sink.write(List.of(Records.untraced("req-1"), Records.untraced("req-2")));
        sink.write(List.of(Records.untraced("req-3"), Records.answered(1)));

        assertThat(collector.exports()).as("a batch with nothing traced sends nothing").hasSize(1);
        assertThat(collector.spans()).hasSize(2);
        assertThat(context.metrics().counterValue("records_untraced_total")).isEqualTo(3);
    }

    @Test
    void headersAndTheSecretAuthorizationAreSentAndGzipIsDecoded() throws Exception {
        sink(Map.of("headers", Map.of("x-tenant", "acme"), "authorization", "Bearer s3cret", "compression", "gzip"))
                .write(List.of(Records.answered(1)));

        CollectorStandIn.Export export = collector.exports().getFirst();
        assertThat(export.header("x-tenant")).isEqualTo("acme");
        assertThat(export.header("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(export.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(export.header("Content-Type")).isEqualTo("application/x-protobuf");
        assertThat(export.spans()).hasSize(2);
    }

    @Test
    void aCollectorThatRefusesMakesTheWriteThrowSoTheGatewayKeepsTheBatch() throws Exception {
        LogSink sink = sink(Map.of());
        collector.answerWith(503);

        assertThatThrownBy(() -> sink.write(List.of(Records.answered(1)))).isInstanceOf(IOException.class)
                .hasMessageContaining(collector.endpoint()).hasMessageContaining("did not take 2 spans: it answered HTTP 503");
        assertThat(collector.exports()).as("no retries inside the sink: the kernel retries").hasSize(1);
        assertThat(context.metrics().counterValue("spans_exported_total")).isZero();

        collector.answerWith(200);
        sink.write(List.of(Records.answered(1)));
        assertThat(context.metrics().counterValue("spans_exported_total")).isEqualTo(2);
    }

    @Test
    void aCollectorThatIsDownMakesTheWriteThrow() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LogSink sink = sink(Map.of("endpoint", "http://127.0.0.1:" + port + "/v1/traces"));

        assertThatThrownBy(() -> sink.write(List.of(Records.answered(1)))).isInstanceOf(IOException.class)
                .hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void aCollectorThatNeverAnswersMakesTheWriteThrowAtTheTimeout() throws Exception {
        LogSink sink = sink(Map.of("timeout", "300ms"));
        collector.hang();

        assertThatThrownBy(() -> sink.write(List.of(Records.answered(1)))).isInstanceOf(IOException.class)
                .hasMessageContaining(collector.endpoint());
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static Map<String, Object> attributes(Span span) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (KeyValue kv : span.getAttributesList()) {
            out.put(kv.getKey(), value(kv.getValue()).orElse(null));
        }
        return out;
    }

    private static Optional<Object> value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> Optional.of(v.getStringValue());
            case INT_VALUE -> Optional.of(v.getIntValue());
            case DOUBLE_VALUE -> Optional.of(v.getDoubleValue());
            case BOOL_VALUE -> Optional.of(v.getBoolValue());
            default -> Optional.empty();
        };
    }
}
