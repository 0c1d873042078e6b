package dev.tollgate.plugin.otlp;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.sink.RequestRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a request record into spans: one {@code SERVER} span for the request, with the ids the
 * kernel gave it, and one {@code CLIENT} span per attempt, with the span id the upstream saw as its
 * parent in {@code traceparent}. Attributes follow the OpenTelemetry GenAI semantic conventions
 * where they have a name; the rest are under {@code tollgate.}. No prompt text, no key, no end user.
 */
final class RecordSpans {

    static final AttributeKey<String> OPERATION = stringKey("gen_ai.operation.name");
    static final AttributeKey<String> REQUEST_MODEL = stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = stringKey("gen_ai.response.model");
    static final AttributeKey<String> PROVIDER = stringKey("gen_ai.provider.name");
    static final AttributeKey<Long> INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHE_READ_TOKENS = longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<Long> CACHE_WRITE_TOKENS = longKey("gen_ai.usage.cache_creation.input_tokens");
    static final AttributeKey<Long> REASONING_TOKENS = longKey("gen_ai.usage.reasoning.output_tokens");
    static final AttributeKey<Long> HTTP_STATUS = longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");
    static final AttributeKey<String> REQUEST_ID = stringKey("tollgate.request_id");
    static final AttributeKey<String> ENDPOINT = stringKey("tollgate.endpoint");
    static final AttributeKey<String> DEPLOYMENT = stringKey("tollgate.deployment_id");
    static final AttributeKey<String> FAULT = stringKey("tollgate.error_type");
    static final AttributeKey<Double> COST_USD = doubleKey("tollgate.cost_usd");
    static final AttributeKey<Long> COST_MICROS = longKey("tollgate.cost_microdollars");
    static final AttributeKey<String> KEY_ID = stringKey("tollgate.key_id");
    static final AttributeKey<String> TEAM_ID = stringKey("tollgate.team_id");
    static final AttributeKey<Boolean> STREAM = booleanKey("tollgate.stream");
    static final AttributeKey<String> CACHE = stringKey("tollgate.cache");
    static final AttributeKey<Double> TTFT = doubleKey("tollgate.time_to_first_token_s");
    static final AttributeKey<Boolean> CLIENT_DISCONNECTED = booleanKey("tollgate.client_disconnected");
    static final AttributeKey<Long> ATTEMPTS = longKey("tollgate.attempts");
    static final AttributeKey<Long> ATTEMPT_INDEX = longKey("tollgate.attempt.index");
    static final AttributeKey<String> ATTEMPT_RESULT = stringKey("tollgate.attempt.result");

    private final Resource resource;
    private final InstrumentationScopeInfo scope;

    RecordSpans(Resource resource, InstrumentationScopeInfo scope) {
        this.resource = requireNonNull(resource, "resource is null");
        this.scope = requireNonNull(scope, "scope is null");
    }

    /**
     * The spans of {@code r}, the request's first; empty when the record is not traced (no trace id,
     * or ids that are not W3C ids). An attempt without a valid span id of its own gets no span.
     */
    List<SpanData> spans(RequestRecord r) {
        String traceId = r.traceId().orElse("");
        String spanId = r.spanId().orElse("");
        if (!TraceId.isValid(traceId) || !SpanId.isValid(spanId)) {
            return List.of();
        }
        String parentId = r.parentSpanId().filter(SpanId::isValid).orElse(null);
        SpanContext request = context(traceId, spanId);
        SpanContext parent = parentId == null ? SpanContext.getInvalid() : context(traceId, parentId);
        Operation operation = Operation.of(r.endpoint());
        long start = epochNanos(r.startedAt());
        long end = start + Math.max(0, r.latencyMicros()) * 1000;
        List<SpanData> out = new ArrayList<>(1 + r.attempts().size());
        out.add(new RecordSpan(operation.spanName(r.model()), SpanKind.SERVER, request, parent, requestStatus(r), start, end,
                requestAttributes(r, operation), resource, scope));

        // The record keeps each attempt's duration but not its start: attempts are laid end to end from
        // the request's start, so time the gateway spent before, between or after them is not placed.
        long attemptStart = start;
        List<String> attemptIds = r.attemptSpanIds();
        for (int i = 0; i < r.attempts().size(); i++) {
            AttemptRecord a = r.attempts().get(i);
            long duration = a.latency().isNegative() ? 0 : a.latency().toNanos();
            long s = Math.min(attemptStart, end);
            long e = Math.min(s + duration, end);
            attemptStart += duration;
            if (i >= attemptIds.size() || !SpanId.isValid(attemptIds.get(i))) {
                continue;
            }
            boolean answered = r.deploymentId().filter(a.deploymentId()::equals).isPresent();
            Optional<String> upstreamModel = answered ? r.providerModel() : Optional.empty();
            String name = operation.spanName(Optional.of(upstreamModel.orElse(a.deploymentId())));
            out.add(new RecordSpan(name, SpanKind.CLIENT, context(traceId, attemptIds.get(i)), request, attemptStatus(a), s, e,
                    attemptAttributes(r, a, operation, answered, upstreamModel), resource, scope));
        }
        return List.copyOf(out);
    }

    private static Attributes requestAttributes(RequestRecord r, Operation operation) {
        AttributesBuilder b = Attributes.builder();
        operation.attribute().ifPresent(n -> b.put(OPERATION, n));
        r.model().ifPresent(m -> b.put(REQUEST_MODEL, m));
        r.providerModel().ifPresent(m -> b.put(RESPONSE_MODEL, m));
        r.provider().ifPresent(p -> b.put(PROVIDER, providerName(p)));
        r.usage().ifPresent(u -> usage(b, u));
        b.put(HTTP_STATUS, (long) r.status());
        errorType(r).ifPresent(t -> b.put(ERROR_TYPE, t));
        r.errorType().ifPresent(t -> b.put(FAULT, t));
        b.put(REQUEST_ID, r.requestId());
        b.put(ENDPOINT, r.endpoint());
        r.deploymentId().ifPresent(d -> b.put(DEPLOYMENT, d));
        r.cost().micros().ifPresent(m -> {
            b.put(COST_MICROS, m);
            b.put(COST_USD, m / 1_000_000.0);
        });
        r.keyId().ifPresent(k -> b.put(KEY_ID, k));
        r.teamId().ifPresent(t -> b.put(TEAM_ID, t));
        b.put(STREAM, r.stream());
        if (r.cacheStatus() != CacheStatus.NONE) {
            b.put(CACHE, r.cacheStatus().name().toLowerCase(Locale.ROOT));
        }
        if (r.timeToFirstTokenMicros() >= 0) {
            b.put(TTFT, r.timeToFirstTokenMicros() / 1_000_000.0);
        }
        if (r.clientDisconnected()) {
            b.put(CLIENT_DISCONNECTED, true);
        }
        b.put(ATTEMPTS, (long) r.attempts().size());
        return b.build();
    }

    private static Attributes attemptAttributes(RequestRecord r, AttemptRecord a, Operation operation, boolean answered,
            Optional<String> upstreamModel) {
        AttributesBuilder b = Attributes.builder();
        operation.attribute().ifPresent(n -> b.put(OPERATION, n));
        upstreamModel.ifPresent(m -> b.put(REQUEST_MODEL, m));
        if (answered) {
            r.provider().ifPresent(p -> b.put(PROVIDER, providerName(p)));
        }
        a.observedUsage().ifPresent(u -> usage(b, u));
        if (a.result() == AttemptRecord.Result.FAILED) {
            b.put(ERROR_TYPE, a.errorCode() == null ? "_OTHER" : a.errorCode());
        }
        b.put(REQUEST_ID, r.requestId());
        b.put(DEPLOYMENT, a.deploymentId());
        b.put(ATTEMPT_INDEX, (long) a.index());
        b.put(ATTEMPT_RESULT, a.result().name().toLowerCase(Locale.ROOT));
        a.timeToFirstEvent().ifPresent(d -> b.put(TTFT, d.toNanos() / 1_000_000_000.0));
        return b.build();
    }

    private static void usage(AttributesBuilder b, Usage u) {
        b.put(INPUT_TOKENS, u.inputTokens());
        b.put(OUTPUT_TOKENS, u.outputTokens());
        if (u.cachedInputTokens() > 0) {
            b.put(CACHE_READ_TOKENS, u.cachedInputTokens());
        }
        if (u.cacheWriteTokens() > 0) {
            b.put(CACHE_WRITE_TOKENS, u.cacheWriteTokens());
        }
        if (u.reasoningTokens() > 0) {
            b.put(REASONING_TOKENS, u.reasoningTokens());
        }
    }

    /** The error code names the failure best; without one, who was at fault; a bare 5xx is {@code _OTHER}. */
    private static Optional<String> errorType(RequestRecord r) {
        if (r.errorCode().isPresent()) {
            return r.errorCode();
        }
        if (r.errorType().isPresent()) {
            return r.errorType();
        }
        return r.status() >= 500 ? Optional.of("_OTHER") : Optional.empty();
    }

    private static StatusData requestStatus(RequestRecord r) {
        if (r.status() >= 500 || r.errorType().isPresent()) {
            return StatusData.create(StatusCode.ERROR, r.errorCode().orElse(r.errorType().orElse("status " + r.status())));
        }
        return StatusData.unset();
    }

    /** A cancelled attempt (the client left, the gateway stopped) is not the upstream's failure. */
    private static StatusData attemptStatus(AttemptRecord a) {
        if (a.result() == AttemptRecord.Result.FAILED) {
            return StatusData.create(StatusCode.ERROR, a.errorCode() == null ? "failed" : a.errorCode());
        }
        return StatusData.unset();
    }

    /** The semantic conventions' well-known names where a provider plugin has one; other names as they are. */
    static String providerName(String provider) {
        return switch (provider) {
            case "gemini" -> "gcp.gemini";
            case "vertex", "vertex_ai" -> "gcp.vertex_ai";
            case "bedrock" -> "aws.bedrock";
            case "azure", "azure_openai" -> "azure.ai.openai";
            default -> provider;
        };
    }

    private static SpanContext context(String traceId, String spanId) {
        return SpanContext.create(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
    }

    private static long epochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    /** What an endpoint does, in the conventions' {@code gen_ai.operation.name}. */
    enum Operation {
        CHAT("chat"),
        EMBEDDINGS("embeddings"),
        COUNT_TOKENS("count_tokens"),
        OTHER(null);

        private final String value;

        Operation(String value) {
            this.value = value;
        }

        static Operation of(String endpoint) {
            if (endpoint.endsWith("/chat/completions") || endpoint.endsWith("/messages") || endpoint.endsWith("/responses")) {
                return CHAT;
            }
            if (endpoint.endsWith("/embeddings")) {
                return EMBEDDINGS;
            }
            if (endpoint.endsWith("/messages/count_tokens")) {
                return COUNT_TOKENS;
            }
            return OTHER;
        }

        Optional<String> attribute() {
            return Optional.ofNullable(value);
        }

        /** {@code {operation} {model}}, as the conventions name spans; a path never goes into a name (unbounded). */
        String spanName(Optional<String> model) {
            String op = value == null ? "tollgate" : value;
            return model.map(m -> op + " " + m).orElse(op);
        }
    }
}
