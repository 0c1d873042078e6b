package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.chat.Usage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the request path; contention-free (LongAdder). */
public final class RequestMetrics {

    private final LongAdder started = new LongAdder();
    private final LongAdder inFlight = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder clientErrors = new LongAdder();
    private final LongAdder serverErrors = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final LongAdder unpriced = new LongAdder();
    private final Set<String> unpricedDeployments = ConcurrentHashMap.newKeySet();

    void started() {
        started.increment();
        inFlight.increment();
    }

    void ended(int status, Usage usage, long latencyNanos, long ttftNanos) {
        inFlight.decrement();
        if (status < 400) {
            succeeded.increment();
        } else if (status < 500) {
            clientErrors.increment();
        } else {
            serverErrors.increment();
        }
        if (usage != null) {
            promptTokens.add(usage.inputTokens());
            completionTokens.add(usage.outputTokens());
        }
    }

    /** Counts an answer whose deployment has no prices; true the first time for that deployment. */
    boolean unpriced(String deploymentId) {
        unpriced.increment();
        return unpricedDeployments.size() < 10_000 && unpricedDeployments.add(deploymentId);
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

    public String prometheus() {
        return "# TYPE tollgate_requests_total counter\n"
                + "tollgate_requests_total{outcome=\"success\"} " + succeeded.sum() + "\n"
                + "tollgate_requests_total{outcome=\"client_error\"} " + clientErrors.sum() + "\n"
                + "tollgate_requests_total{outcome=\"server_error\"} " + serverErrors.sum() + "\n"
                + "# TYPE tollgate_requests_in_flight gauge\n"
                + "tollgate_requests_in_flight " + inFlight.sum() + "\n"
                + "# TYPE tollgate_tokens_total counter\n"
                + "tollgate_tokens_total{kind=\"prompt\"} " + promptTokens.sum() + "\n"
                + "tollgate_tokens_total{kind=\"completion\"} " + completionTokens.sum() + "\n"
                + "# HELP tollgate_requests_unpriced_total Answers whose deployment has no prices: their cost is recorded as unknown\n"
                + "# TYPE tollgate_requests_unpriced_total counter\n"
                + "tollgate_requests_unpriced_total " + unpriced.sum() + "\n";
    }
}
