package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.codec.TranslationWarnings;
import dev.tollgate.kernel.records.RecordPipeline;
import dev.tollgate.kernel.time.Scheduler;
import dev.tollgate.kernel.upstream.UpstreamClient;
import dev.tollgate.spi.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every request's {@link Lifecycle} shares: the policy chain, the
 * outbound client, time, metrics, and the set of requests in flight (which graceful shutdown ends
 * with a protocol-correct error when its grace runs out).
 *
 * <p>The path every inference request takes:
 * <pre>admit (policies) → cache → route → attempt (call, stream) → respond → settle → record</pre>
 * A cache hit goes from cache straight to respond.
 */
public final class Pipeline {

    final PolicyChain policies;
    final UpstreamClient upstream;
    final RequestMetrics metrics;
    final Scheduler scheduler;
    final Ticker ticker;
    final Clock clock;
    final Duration admissionTimeout;
    final TranslationWarnings warnings;
    final RecordPipeline records;
    /** Whether a request without a {@code traceparent} gets a trace of its own (for a tracing sink). */
    final boolean startTraces;
    /** Whose bodies go into their records, and how they are redacted. */
    final dev.tollgate.kernel.config.LoggingSettings.Bodies bodies;
    final dev.tollgate.kernel.records.BodyRedactor redactor;
    /** The response cache, or null when none is configured. */
    final dev.tollgate.kernel.cache.ResponseCache cache;
    private final Set<Lifecycle> live = ConcurrentHashMap.newKeySet();

    public Pipeline(PolicyChain policies, UpstreamClient upstream, RequestMetrics metrics, Scheduler scheduler, Ticker ticker,
            Clock clock, Duration admissionTimeout, TranslationWarnings warnings) {
        this(policies, upstream, metrics, scheduler, ticker, clock, admissionTimeout, warnings, RecordPipeline.none());
    }

    public Pipeline(PolicyChain policies, UpstreamClient upstream, RequestMetrics metrics, Scheduler scheduler, Ticker ticker,
            Clock clock, Duration admissionTimeout, TranslationWarnings warnings, RecordPipeline records) {
        this(policies, upstream, metrics, scheduler, ticker, clock, admissionTimeout, warnings, records, false);
    }

    public Pipeline(PolicyChain policies, UpstreamClient upstream, RequestMetrics metrics, Scheduler scheduler, Ticker ticker,
            Clock clock, Duration admissionTimeout, TranslationWarnings warnings, RecordPipeline records, boolean startTraces) {
        this(policies, upstream, metrics, scheduler, ticker, clock, admissionTimeout, warnings, records, startTraces,
                dev.tollgate.kernel.config.LoggingSettings.Bodies.NONE, null);
    }

    /**
     * @param bodies whose bodies go into their records
     * @param cache  the response cache, or {@code null} for none
     */
    public Pipeline(PolicyChain policies, UpstreamClient upstream, RequestMetrics metrics, Scheduler scheduler, Ticker ticker,
            Clock clock, Duration admissionTimeout, TranslationWarnings warnings, RecordPipeline records, boolean startTraces,
            dev.tollgate.kernel.config.LoggingSettings.Bodies bodies, dev.tollgate.kernel.cache.ResponseCache cache) {
        this.cache = cache;
        this.bodies = requireNonNull(bodies, "bodies is null");
        this.redactor = new dev.tollgate.kernel.records.BodyRedactor(bodies.redact());
        this.startTraces = startTraces;
        this.records = requireNonNull(records, "records is null");
        this.policies = requireNonNull(policies, "policies is null");
        this.upstream = requireNonNull(upstream, "upstream is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.admissionTimeout = requireNonNull(admissionTimeout, "admissionTimeout is null");
        this.warnings = requireNonNull(warnings, "warnings is null");
    }

    public Ticker ticker() {
        return ticker;
    }

    public Clock clock() {
        return clock;
    }

    public TranslationWarnings warnings() {
        return warnings;
    }

    public PolicyChain policies() {
        return policies;
    }

    /** A request is over: its record goes to the metrics and to every sink. */
    void finished(dev.tollgate.spi.sink.RequestRecord record) {
        metrics.recorded(record);
        records.offer(record);
    }

    /**
     * A request answered before any lifecycle started (malformed, unknown model or URL, too large,
     * refused by the connection guard, unauthenticated): counted and recorded like any other.
     */
    public void answeredWithoutLifecycle(String requestId, java.time.Instant startedAt, long startNanos, String endpoint, int status,
            dev.tollgate.spi.GatewayException error, dev.tollgate.spi.policy.Principal principal) {
        dev.tollgate.spi.sink.RequestRecord.Builder b = dev.tollgate.spi.sink.RequestRecord.builder(requestId, startedAt, endpoint)
                .status(status)
                .cost(dev.tollgate.spi.policy.Cost.ofMicros(0))
                .latencyMicros(Math.max(0, ticker.nanoTime() - startNanos) / 1000);
        if (error != null) {
            b.errorCode(error.code()).errorType(error.type().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (principal != null) {
            b.key(principal.keyId().orElse(null), principal.keyName().orElse(null)).teamId(principal.teamId().orElse(null));
        }
        finished(b.build());
    }

    void entered(Lifecycle r) {
        live.add(r);
    }

    void left(Lifecycle r) {
        live.remove(r);
    }

    /** Requests not yet done. */
    public int live() {
        return live.size();
    }

    /**
     * Ends every request still in flight because the gateway stops: an uncommitted one is answered
     * 503 {@code shutting_down}; a stream gets that error as its last event, so no client mistakes
     * the cut for a normal end. Runs each on its own I/O thread.
     */
    public void shutDownLive() {
        for (Lifecycle r : live) {
            r.onThread(r::shutDown);
        }
    }
}
