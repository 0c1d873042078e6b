package dev.tollgate.spi.sink;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One log record per request. It never holds a secret: keys appear by id and name only. Built by
 * the kernel with {@link #builder}; fields are added to the builder, so sinks keep working as it
 * grows (a sink should ignore what it does not know).
 */
public final class RequestRecord {

    private final String requestId;
    private final Instant startedAt;
    private final String endpoint;
    private final String model;
    private final String deploymentId;
    private final String provider;
    private final String providerModel;
    private final int status;
    private final String errorCode;
    private final String errorType;
    private final boolean stream;
    private final Usage usage;
    private final Cost cost;
    private final CacheStatus cacheStatus;
    private final long latencyMicros;
    private final long timeToFirstTokenMicros;
    private final long upstreamLatencyMicros;
    private final String keyId;
    private final String keyName;
    private final String teamId;
    private final String endUser;
    private final List<AttemptRecord> attempts;
    private final boolean clientDisconnected;
    private final String traceId;
    private final String spanId;
    private final String parentSpanId;
    private final List<String> attemptSpanIds;
    private final String requestBody;
    private final String responseBody;
    private final Map<String, String> metadata;

    private RequestRecord(Builder b) {
        this.requestId = requireNonNull(b.requestId, "requestId is null");
        this.startedAt = requireNonNull(b.startedAt, "startedAt is null");
        this.endpoint = requireNonNull(b.endpoint, "endpoint is null");
        this.model = b.model;
        this.deploymentId = b.deploymentId;
        this.provider = b.provider;
        this.providerModel = b.providerModel;
        this.status = b.status;
        this.errorCode = b.errorCode;
        this.errorType = b.errorType;
        this.stream = b.stream;
        this.usage = b.usage;
        this.cost = requireNonNull(b.cost, "cost is null");
        this.cacheStatus = requireNonNull(b.cacheStatus, "cacheStatus is null");
        this.latencyMicros = b.latencyMicros;
        this.timeToFirstTokenMicros = b.timeToFirstTokenMicros;
        this.upstreamLatencyMicros = b.upstreamLatencyMicros;
        this.keyId = b.keyId;
        this.keyName = b.keyName;
        this.teamId = b.teamId;
        this.endUser = b.endUser;
        this.attempts = List.copyOf(b.attempts);
        this.clientDisconnected = b.clientDisconnected;
        this.traceId = b.traceId;
        this.spanId = b.spanId;
        this.parentSpanId = b.parentSpanId;
        this.attemptSpanIds = List.copyOf(b.attemptSpanIds);
        this.requestBody = b.requestBody;
        this.responseBody = b.responseBody;
        this.metadata = b.metadata.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    }

    public static Builder builder(String requestId, Instant startedAt, String endpoint) {
        return new Builder(requestId, startedAt, endpoint);
    }

    public String requestId() {
        return requestId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The path, for example {@code /v1/chat/completions}. */
    public String endpoint() {
        return endpoint;
    }

    /** The model the client asked for, when the request named one. */
    public Optional<String> model() {
        return Optional.ofNullable(model);
    }

    /** The deployment that answered, when one did. */
    public Optional<String> deploymentId() {
        return Optional.ofNullable(deploymentId);
    }

    /** The provider factory name of that deployment. */
    public Optional<String> provider() {
        return Optional.ofNullable(provider);
    }

    /** The model name the answering deployment sent upstream, when one answered. */
    public Optional<String> providerModel() {
        return Optional.ofNullable(providerModel);
    }

    /** The status the client received. */
    public int status() {
        return status;
    }

    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    /**
     * Who was at fault when the request failed: an {@link dev.tollgate.spi.ErrorType} name in lower
     * case ({@code client}, {@code upstream_client}, {@code upstream_server}, {@code rate_limited},
     * {@code budget}, {@code internal}); empty on success.
     */
    public Optional<String> errorType() {
        return Optional.ofNullable(errorType);
    }

    public boolean stream() {
        return stream;
    }

    /** Usage, or empty when no provider reported any. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    public Cost cost() {
        return cost;
    }

    public CacheStatus cacheStatus() {
        return cacheStatus;
    }

    /** From arrival to the end of the response. */
    public long latencyMicros() {
        return latencyMicros;
    }

    /** From arrival to the first answer byte or event, or -1 when none was sent. */
    public long timeToFirstTokenMicros() {
        return timeToFirstTokenMicros;
    }

    /** Time spent in upstream attempts (all of them, retries included), or 0 when none was made. */
    public long upstreamLatencyMicros() {
        return upstreamLatencyMicros;
    }

    /** What the gateway itself added: the total latency minus the upstream time, never negative. */
    public long gatewayOverheadMicros() {
        return Math.max(0, latencyMicros - upstreamLatencyMicros);
    }

    public Optional<String> keyId() {
        return Optional.ofNullable(keyId);
    }

    public Optional<String> keyName() {
        return Optional.ofNullable(keyName);
    }

    public Optional<String> teamId() {
        return Optional.ofNullable(teamId);
    }

    /** The end user the client named (OpenAI {@code user}). */
    public Optional<String> endUser() {
        return Optional.ofNullable(endUser);
    }

    public List<AttemptRecord> attempts() {
        return attempts;
    }

    public boolean clientDisconnected() {
        return clientDisconnected;
    }

    /** The W3C trace id the client sent in {@code traceparent}, when it sent a valid one. */
    public Optional<String> traceId() {
        return Optional.ofNullable(traceId);
    }

    /** The span id of this request in its trace (16 hex digits), when the request is traced. */
    public Optional<String> spanId() {
        return Optional.ofNullable(spanId);
    }

    /** The client's span, the parent of {@link #spanId()}; empty when the gateway started the trace. */
    public Optional<String> parentSpanId() {
        return Optional.ofNullable(parentSpanId);
    }

    /**
     * The span id of each attempt, in the order of {@link #attempts()}, when the request is traced:
     * the parent the upstream saw in its {@code traceparent}. Empty when not traced.
     */
    public List<String> attemptSpanIds() {
        return attemptSpanIds;
    }

    /**
     * The request body as the client sent it, redacted and cut to the configured size, when bodies
     * are logged for this request's model or key (they are not by default).
     */
    public Optional<String> requestBody() {
        return Optional.ofNullable(requestBody);
    }

    /** The answer as the client received it (JSON, or the stream's events), redacted and cut like {@link #requestBody()}. */
    public Optional<String> responseBody() {
        return Optional.ofNullable(responseBody);
    }

    /** The client's metadata tags. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "RequestRecord[" + requestId + " " + endpoint + " " + model + " status=" + status + " " + cost + "]";
    }

    /** Builds {@link RequestRecord}s. */
    public static final class Builder {
        private final String requestId;
        private final Instant startedAt;
        private final String endpoint;
        private String model;
        private String deploymentId;
        private String provider;
        private String providerModel;
        private int status;
        private String errorCode;
        private String errorType;
        private boolean stream;
        private Usage usage;
        private Cost cost = Cost.unknown();
        private CacheStatus cacheStatus = CacheStatus.NONE;
        private long latencyMicros;
        private long timeToFirstTokenMicros = -1;
        private long upstreamLatencyMicros;
        private String keyId;
        private String keyName;
        private String teamId;
        private String endUser;
        private List<AttemptRecord> attempts = List.of();
        private boolean clientDisconnected;
        private String traceId;
        private String spanId;
        private String parentSpanId;
        private List<String> attemptSpanIds = List.of();
        private String requestBody;
        private String responseBody;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder(String requestId, Instant startedAt, String endpoint) {
            this.requestId = requestId;
            this.startedAt = startedAt;
            this.endpoint = endpoint;
        }

        public Builder model(String v) {
            this.model = v;
            return this;
        }

        public Builder deployment(String deploymentId, String provider) {
            this.deploymentId = deploymentId;
            this.provider = provider;
            return this;
        }

        public Builder providerModel(String v) {
            this.providerModel = v;
            return this;
        }

        public Builder status(int v) {
            this.status = v;
            return this;
        }

        public Builder errorCode(String v) {
            this.errorCode = v;
            return this;
        }

        public Builder errorType(String v) {
            this.errorType = v;
            return this;
        }

        public Builder stream(boolean v) {
            this.stream = v;
            return this;
        }

        public Builder usage(Usage v) {
            this.usage = v;
            return this;
        }

        public Builder cost(Cost v) {
            this.cost = v;
            return this;
        }

        public Builder cacheStatus(CacheStatus v) {
            this.cacheStatus = v;
            return this;
        }

        public Builder latencyMicros(long v) {
            this.latencyMicros = v;
            return this;
        }

        public Builder timeToFirstTokenMicros(long v) {
            this.timeToFirstTokenMicros = v;
            return this;
        }

        public Builder upstreamLatencyMicros(long v) {
            this.upstreamLatencyMicros = v;
            return this;
        }

        public Builder key(String id, String name) {
            this.keyId = id;
            this.keyName = name;
            return this;
        }

        public Builder teamId(String v) {
            this.teamId = v;
            return this;
        }

        public Builder endUser(String v) {
            this.endUser = v;
            return this;
        }

        public Builder attempts(List<AttemptRecord> v) {
            this.attempts = v;
            return this;
        }

        public Builder clientDisconnected(boolean v) {
            this.clientDisconnected = v;
            return this;
        }

        public Builder traceId(String v) {
            this.traceId = v;
            return this;
        }

        /** The request's place in its trace: its own span, its parent's (or null), and each attempt's. */
        public Builder span(String spanId, String parentSpanId, List<String> attemptSpanIds) {
            this.spanId = spanId;
            this.parentSpanId = parentSpanId;
            this.attemptSpanIds = attemptSpanIds == null ? List.of() : attemptSpanIds;
            return this;
        }

        /** The logged bodies (already redacted); null for one that is not logged. */
        public Builder bodies(String request, String response) {
            this.requestBody = request;
            this.responseBody = response;
            return this;
        }

        public Builder metadata(Map<String, String> v) {
            metadata.clear();
            metadata.putAll(v);
            return this;
        }

        public RequestRecord build() {
            return new RequestRecord(this);
        }
    }
}
