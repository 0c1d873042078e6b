package dev.tollgate.plugin.jsonl;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The line a record becomes: one JSON object whose keys are stable snake_case names, every key on
 * every line ({@code null} when the record has no value: unknown is never written as 0). A field
 * added to {@link RequestRecord} is one more entry in {@link #FIELDS}.
 */
final class RecordJson {

    /** Writes one field of a record: its name and value. */
    @FunctionalInterface
    interface Field {
        void write(JsonGenerator g, RequestRecord r) throws IOException;
    }

    /** UTC with microseconds, fixed width, so that lines sort as text. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    static final List<Field> FIELDS = List.of(
            (g, r) -> g.writeStringField("request_id", r.requestId()),
            (g, r) -> g.writeStringField("started_at", TIME.format(r.startedAt())),
            (g, r) -> g.writeStringField("endpoint", r.endpoint()),
            (g, r) -> g.writeStringField("model", r.model().orElse(null)),
            (g, r) -> g.writeStringField("deployment_id", r.deploymentId().orElse(null)),
            (g, r) -> g.writeStringField("provider", r.provider().orElse(null)),
            (g, r) -> g.writeStringField("provider_model", r.providerModel().orElse(null)),
            (g, r) -> g.writeNumberField("status", r.status()),
            (g, r) -> g.writeStringField("error_code", r.errorCode().orElse(null)),
            (g, r) -> g.writeStringField("error_type", r.errorType().orElse(null)),
            (g, r) -> g.writeBooleanField("stream", r.stream()),
            (g, r) -> tokens(g, "input_tokens", r.usage(), Usage::inputTokens),
            (g, r) -> tokens(g, "output_tokens", r.usage(), Usage::outputTokens),
            (g, r) -> tokens(g, "cached_input_tokens", r.usage(), Usage::cachedInputTokens),
            (g, r) -> tokens(g, "cache_write_tokens", r.usage(), Usage::cacheWriteTokens),
            (g, r) -> tokens(g, "reasoning_tokens", r.usage(), Usage::reasoningTokens),
            (g, r) -> nullableNumber(g, "cost_micros", r.cost().isKnown() ? r.cost().micros().getAsLong() : null),
            (g, r) -> g.writeBooleanField("cost_known", r.cost().isKnown()),
            (g, r) -> g.writeStringField("cache_status", r.cacheStatus().name().toLowerCase(Locale.ROOT)),
            (g, r) -> g.writeNumberField("latency_micros", r.latencyMicros()),
            (g, r) -> nullableNumber(g, "ttft_micros", r.timeToFirstTokenMicros() < 0 ? null : r.timeToFirstTokenMicros()),
            (g, r) -> g.writeNumberField("upstream_latency_micros", r.upstreamLatencyMicros()),
            (g, r) -> g.writeNumberField("gateway_overhead_micros", r.gatewayOverheadMicros()),
            (g, r) -> g.writeStringField("key_id", r.keyId().orElse(null)),
            (g, r) -> g.writeStringField("key_name", r.keyName().orElse(null)),
            (g, r) -> g.writeStringField("team_id", r.teamId().orElse(null)),
            (g, r) -> g.writeStringField("end_user", r.endUser().orElse(null)),
            (g, r) -> g.writeBooleanField("client_disconnected", r.clientDisconnected()),
            (g, r) -> g.writeStringField("request_body", r.requestBody().orElse(null)),
            (g, r) -> g.writeStringField("response_body", r.responseBody().orElse(null)),
            (g, r) -> g.writeStringField("trace_id", r.traceId().orElse(null)),
            (g, r) -> g.writeStringField("span_id", r.spanId().orElse(null)),
            (g, r) -> g.writeStringField("parent_span_id", r.parentSpanId().orElse(null)),
            (g, r) -> strings(g, "attempt_span_ids", r.attemptSpanIds()),
            RecordJson::attempts,
            RecordJson::metadata);

    private RecordJson() {}

    /** Writes {@code r} as one JSON object (no line end). */
    static void write(JsonGenerator g, RequestRecord r) throws IOException {
        g.writeStartObject();
        for (Field f : FIELDS) {
            f.write(g, r);
        }
        g.writeEndObject();
    }

    private static void attempts(JsonGenerator g, RequestRecord r) throws IOException {
        g.writeArrayFieldStart("attempts");
        for (AttemptRecord a : r.attempts()) {
            Optional<Usage> usage = a.observedUsage();
            g.writeStartObject();
            g.writeNumberField("index", a.index());
            g.writeStringField("deployment_id", a.deploymentId());
            g.writeStringField("result", a.result().name().toLowerCase(Locale.ROOT));
            g.writeStringField("error_code", a.errorCode());
            g.writeNumberField("latency_micros", micros(a.latency()));
            nullableNumber(g, "ttft_micros", a.timeToFirstEvent().map(RecordJson::micros).orElse(null));
            tokens(g, "input_tokens", usage, Usage::inputTokens);
            tokens(g, "output_tokens", usage, Usage::outputTokens);
            tokens(g, "cached_input_tokens", usage, Usage::cachedInputTokens);
            tokens(g, "cache_write_tokens", usage, Usage::cacheWriteTokens);
            tokens(g, "reasoning_tokens", usage, Usage::reasoningTokens);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void metadata(JsonGenerator g, RequestRecord r) throws IOException {
        g.writeObjectFieldStart("metadata");
        for (Map.Entry<String, String> e : r.metadata().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void tokens(JsonGenerator g, String name, Optional<Usage> usage, ToLongFunction<Usage> count) throws IOException {
        nullableNumber(g, name, usage.map(count::applyAsLong).orElse(null));
    }

    private static void nullableNumber(JsonGenerator g, String name, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value.longValue());
        }
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }
}
