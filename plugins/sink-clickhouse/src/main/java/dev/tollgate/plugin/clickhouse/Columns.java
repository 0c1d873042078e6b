package dev.tollgate.plugin.clickhouse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The table's columns and how a record fills them, in one list: a field added to
 * {@link RequestRecord} is one more {@link Column} (the sink adds missing columns to an existing
 * table at start).
 *
 * <p>Types are those ClickHouse 18.16 already had, so that old and current servers take the same
 * DDL and rows: {@code DateTime} plus a microseconds column instead of {@code DateTime64},
 * {@code UInt8} for flags, two arrays instead of {@code Map}, the attempts as JSON text. Numbers
 * whose absence means unknown (tokens, cost, time to first token) are {@code Nullable}, so that
 * {@code sum} skips them and {@code count(cost_micros)} counts the priced requests; names that may
 * be absent are {@code ''}.
 */
final class Columns {

    /** Writes one column's value of a record (the name is written by the caller). */
    @FunctionalInterface
    interface Value {
        void write(JsonGenerator g, RequestRecord r) throws IOException;
    }

    /** A column: its name, its ClickHouse type, how a record fills it. */
    record Column(String name, String type, Value value) {}

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final JsonFactory JSON = new JsonFactory();

    /** An attempt's token counts, in the order the JSONL sink writes them. */
    private static final List<Map.Entry<String, ToLongFunction<Usage>>> TOKENS = List.of(
            Map.entry("input_tokens", Usage::inputTokens),
            Map.entry("output_tokens", Usage::outputTokens),
            Map.entry("cached_input_tokens", Usage::cachedInputTokens),
            Map.entry("cache_write_tokens", Usage::cacheWriteTokens),
            Map.entry("reasoning_tokens", Usage::reasoningTokens));

    static final List<Column> ALL = List.of(
            new Column("request_id", "String", (g, r) -> g.writeString(r.requestId())),
            new Column("started_at", "DateTime('UTC')", (g, r) -> g.writeString(SECONDS.format(r.startedAt()))),
            new Column("started_at_us", "UInt32", (g, r) -> g.writeNumber(r.startedAt().getNano() / 1000)),
            new Column("endpoint", "String", (g, r) -> g.writeString(r.endpoint())),
            new Column("model", "String", (g, r) -> g.writeString(r.model().orElse(""))),
            new Column("deployment_id", "String", (g, r) -> g.writeString(r.deploymentId().orElse(""))),
            new Column("provider", "String", (g, r) -> g.writeString(r.provider().orElse(""))),
            new Column("provider_model", "String", (g, r) -> g.writeString(r.providerModel().orElse(""))),
            new Column("status", "UInt16", (g, r) -> g.writeNumber(r.status())),
            new Column("error_code", "String", (g, r) -> g.writeString(r.errorCode().orElse(""))),
            new Column("error_type", "String", (g, r) -> g.writeString(r.errorType().orElse(""))),
            new Column("stream", "UInt8", (g, r) -> flag(g, r.stream())),
            new Column("input_tokens", "Nullable(UInt64)", (g, r) -> tokens(g, r.usage(), Usage::inputTokens)),
            new Column("output_tokens", "Nullable(UInt64)", (g, r) -> tokens(g, r.usage(), Usage::outputTokens)),
            new Column("cached_input_tokens", "Nullable(UInt64)", (g, r) -> tokens(g, r.usage(), Usage::cachedInputTokens)),
            new Column("cache_write_tokens", "Nullable(UInt64)", (g, r) -> tokens(g, r.usage(), Usage::cacheWriteTokens)),
            new Column("reasoning_tokens", "Nullable(UInt64)", (g, r) -> tokens(g, r.usage(), Usage::reasoningTokens)),
            new Column("cost_micros", "Nullable(UInt64)", (g, r) -> nullable(g, r.cost().isKnown() ? r.cost().micros().getAsLong() : null)),
            new Column("cost_known", "UInt8", (g, r) -> flag(g, r.cost().isKnown())),
            new Column("cache_status", "String", (g, r) -> g.writeString(r.cacheStatus().name().toLowerCase(Locale.ROOT))),
            new Column("latency_micros", "UInt64", (g, r) -> g.writeNumber(r.latencyMicros())),
            new Column("ttft_micros", "Nullable(UInt64)",
                    (g, r) -> nullable(g, r.timeToFirstTokenMicros() < 0 ? null : r.timeToFirstTokenMicros())),
            new Column("upstream_latency_micros", "UInt64", (g, r) -> g.writeNumber(r.upstreamLatencyMicros())),
            new Column("gateway_overhead_micros", "UInt64", (g, r) -> g.writeNumber(r.gatewayOverheadMicros())),
            new Column("key_id", "String", (g, r) -> g.writeString(r.keyId().orElse(""))),
            new Column("key_name", "String", (g, r) -> g.writeString(r.keyName().orElse(""))),
            new Column("team_id", "String", (g, r) -> g.writeString(r.teamId().orElse(""))),
            new Column("end_user", "String", (g, r) -> g.writeString(r.endUser().orElse(""))),
            new Column("client_disconnected", "UInt8", (g, r) -> flag(g, r.clientDisconnected())),
            new Column("request_body", "Nullable(String)", (g, r) -> nullableString(g, r.requestBody().orElse(null))),
            new Column("response_body", "Nullable(String)", (g, r) -> nullableString(g, r.responseBody().orElse(null))),
            new Column("trace_id", "String", (g, r) -> g.writeString(r.traceId().orElse(""))),
            new Column("span_id", "String", (g, r) -> g.writeString(r.spanId().orElse(""))),
            new Column("parent_span_id", "String", (g, r) -> g.writeString(r.parentSpanId().orElse(""))),
            new Column("attempt_span_ids", "Array(String)", (g, r) -> strings(g, r.attemptSpanIds())),
            new Column("attempt_count", "UInt16", (g, r) -> g.writeNumber(r.attempts().size())),
            new Column("attempts", "String", (g, r) -> g.writeString(attemptsJson(r.attempts()))),
            new Column("metadata_keys", "Array(String)", (g, r) -> strings(g, r.metadata().keySet())),
            new Column("metadata_values", "Array(String)", (g, r) -> strings(g, r.metadata().values())));

    private Columns() {}

    private static void nullableString(com.fasterxml.jackson.core.JsonGenerator g, String s) throws java.io.IOException {
        if (s == null) {
            g.writeNull();
        } else {
            g.writeString(s);
        }
    }

    /**
     * The table: {@code ReplacingMergeTree} keyed on the start time and the request id, so that a
     * batch delivered twice collapses to one row per request when parts merge, and {@code FINAL}
     * counts exactly before that; one partition per month.
     */
    static String createTable(String qualifiedTable) {
        return "CREATE TABLE IF NOT EXISTS " + qualifiedTable + " ("
                + ALL.stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", "))
                + ") ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(started_at) ORDER BY (started_at, request_id)";
    }

    /** Writes {@code r} as one JSONEachRow object (no line end). */
    static void writeRow(JsonGenerator g, RequestRecord r) throws IOException {
        g.writeStartObject();
        for (Column c : ALL) {
            g.writeFieldName(c.name());
            c.value().write(g, r);
        }
        g.writeEndObject();
    }

    /** The attempts as the JSONL sink writes them, with the same keys. */
    static String attemptsJson(List<AttemptRecord> attempts) throws IOException {
        if (attempts.isEmpty()) {
            return "[]";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (AttemptRecord a : attempts) {
                Optional<Usage> usage = a.observedUsage();
                g.writeStartObject();
                g.writeNumberField("index", a.index());
                g.writeStringField("deployment_id", a.deploymentId());
                g.writeStringField("result", a.result().name().toLowerCase(Locale.ROOT));
                g.writeStringField("error_code", a.errorCode());
                g.writeNumberField("latency_micros", micros(a.latency()));
                g.writeFieldName("ttft_micros");
                nullable(g, a.timeToFirstEvent().map(Columns::micros).orElse(null));
                for (Map.Entry<String, ToLongFunction<Usage>> t : TOKENS) {
                    g.writeFieldName(t.getKey());
                    tokens(g, usage, t.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void tokens(JsonGenerator g, Optional<Usage> usage, ToLongFunction<Usage> count) throws IOException {
        nullable(g, usage.map(count::applyAsLong).orElse(null));
    }

    private static void nullable(JsonGenerator g, Long value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value.longValue());
        }
    }

    private static void flag(JsonGenerator g, boolean value) throws IOException {
        g.writeNumber(value ? 1 : 0);
    }

    private static void strings(JsonGenerator g, Iterable<String> values) throws IOException {
        g.writeStartArray();
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }
}
