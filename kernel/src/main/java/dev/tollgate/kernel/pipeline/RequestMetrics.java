package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.sink.RequestRecord;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every request adds to {@code /metrics}, from its one {@link RequestRecord}: the same record
 * the sinks get, so the cost counter here equals the sum of the logged costs. Requests refused
 * before a lifecycle started (malformed, unknown model, too large, unauthenticated) are counted
 * too. Labels are bounded: model names come from the configuration (an unknown one is recorded as
 * {@code unknown}), teams from the admin API, and every family folds more than its bound into
 * {@code __other__}; no request id, key secret or user text becomes a label.
 */
public final class RequestMetrics {

    private static final String NONE = "";

    private final LongAdder started = new LongAdder();
    private final LongAdder inFlight = new LongAdder();
    private final LongAdder unpriced = new LongAdder();
    private final Set<String> unpricedDeployments = ConcurrentHashMap.newKeySet();
    private final LongAdder strategyFailures = new LongAdder();
    private final Set<String> strategyFailedModels = ConcurrentHashMap.newKeySet();
    private final Set<String> models;
    private final Metrics.LabeledCounter requests;
    private final Metrics.LabeledCounter tokens;
    private final Metrics.LabeledCounter cost;
    private final Metrics.LabeledCounter unknownCost;
    private final Metrics.LabeledHistogram latency;
    private final Metrics.LabeledHistogram ttft;
    private final Metrics.LabeledHistogram upstream;
    private final Metrics.Histogram overhead;
    private final Metrics.LabeledCounter refusals;

    /** Counters only, kept nowhere (tests of the pipeline that do not read metrics). */
    public RequestMetrics() {
        this(new dev.tollgate.kernel.metrics.KernelMetrics(), Set.of());
    }

    /** @param models the configured model names: the only values the {@code model} label takes */
    public RequestMetrics(Metrics metrics, Set<String> models) {
        this.models = Set.copyOf(models);
        requests = metrics.counter("tollgate_requests_total", "Requests answered, by endpoint, model, provider and status",
                List.of("endpoint", "model", "provider", "status"));
        tokens = metrics.counter("tollgate_tokens_total", "Tokens reported by providers, by model, team and kind",
                List.of("model", "team", "kind"));
        cost = metrics.counter("tollgate_cost_microdollars_total",
                "Priced cost of answered requests in micro-dollars (1e-6 USD), by model and team", List.of("model", "team"));
        unknownCost = metrics.counter("tollgate_requests_unknown_cost_total",
                "Requests whose cost is unknown (usage missing or model unpriced), by model", List.of("model"));
        latency = metrics.histogram("tollgate_request_duration_seconds", "From arrival to the end of the answer", "seconds",
                List.of("model"));
        ttft = metrics.histogram("tollgate_time_to_first_token_seconds", "From arrival to the first answer byte or event", "seconds",
                List.of("model"));
        upstream = metrics.histogram("tollgate_upstream_duration_seconds", "Time in upstream attempts", "seconds", List.of("model"));
        overhead = metrics.histogram("tollgate_gateway_overhead_seconds", "Total minus upstream time: what the gateway added",
                "seconds");
        refusals = metrics.counter("tollgate_governance_refusals_total",
                "Requests the gateway refused with 429 before any upstream call, by code (rate_limit_exceeded, insufficient_quota)",
                List.of("code"));
    }

    void started() {
        started.increment();
        inFlight.increment();
    }

    void ended() {
        inFlight.decrement();
    }

    /** Counts one finished request from its record. */
    public void recorded(RequestRecord r) {
        String model = r.model().filter(models::contains).orElse(r.model().isPresent() ? "unknown" : NONE);
        String team = r.teamId().orElse(NONE);
        requests.labels(r.endpoint(), model, r.provider().orElse(NONE), statusLabel(r.status())).increment();
        if (r.status() == 429 && r.attempts().isEmpty()) {
            String code = r.errorCode().orElse("");
            refusals.labels(code.equals("insufficient_quota") || code.equals("rate_limit_exceeded") ? code : "other").increment();
        }
        Usage u = r.usage().orElse(null);
        if (u != null) {
            add(model, team, "input", u.inputTokens());
            add(model, team, "output", u.outputTokens());
            add(model, team, "cached_input", u.cachedInputTokens());
            add(model, team, "cache_write", u.cacheWriteTokens());
            add(model, team, "reasoning", u.reasoningTokens());
        }
        if (r.cost().micros().isPresent()) {
            long micros = r.cost().micros().getAsLong();
            if (micros > 0) {
                cost.labels(model, team).add(micros);
            }
        } else {
            unknownCost.labels(model).increment();
        }
        if (r.model().isPresent() && r.status() != 0) {
            latency.labels(model).record(r.latencyMicros());
            if (r.timeToFirstTokenMicros() >= 0) {
                ttft.labels(model).record(r.timeToFirstTokenMicros());
            }
            if (!r.attempts().isEmpty()) {
                upstream.labels(model).record(r.upstreamLatencyMicros());
                overhead.record(r.gatewayOverheadMicros());
            }
        }
    }

    private void add(String model, String team, String kind, long n) {
        if (n > 0) {
            tokens.labels(model, team, kind).add(n);
        }
    }

    private static String statusLabel(int status) {
        return status >= 100 && status <= 599 ? STATUS[status - 100] : "other";
    }

    private static final String[] STATUS = new String[500];

    static {
        for (int i = 0; i < STATUS.length; i++) {
            STATUS[i] = Integer.toString(i + 100);
        }
    }

    /** Counts an answer whose deployment has no prices; true the first time for that deployment. */
    boolean unpriced(String deploymentId) {
        unpriced.increment();
        return unpricedDeployments.size() < 10_000 && unpricedDeployments.add(deploymentId);
    }

    /** Counts a routing strategy that threw; true the first time for that model (warned once). */
    boolean strategyFailed(String model) {
        strategyFailures.increment();
        return strategyFailedModels.size() < 10_000 && strategyFailedModels.add(model);
    }

    public long strategyFailures() {
        return strategyFailures.sum();
    }

    public long unpricedCount() {
        return unpriced.sum();
    }

    public long inFlight() {
        return inFlight.sum();
    }

    public long startedCount() {
        return started.sum();
    }

    /** The counters kept here rather than in the metrics registry. */
    public String prometheus() {
        return "# HELP tollgate_requests_in_flight Requests started and not yet done\n"
                + "# TYPE tollgate_requests_in_flight gauge\n"
                + "tollgate_requests_in_flight " + inFlight.sum() + "\n"
                + "# HELP tollgate_requests_unpriced_total Answers whose deployment has no prices: their cost is recorded as unknown\n"
                + "# TYPE tollgate_requests_unpriced_total counter\n"
                + "tollgate_requests_unpriced_total " + unpriced.sum() + "\n";
    }
}
