package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyPhase;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.RequestPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs request policies as {@link RequestPolicy} documents: admission once per request,
 * authenticate phase first, each phase in configuration order, short-circuit on the first
 * rejection; settlement in reverse order for every admitted policy, failures logged and counted.
 * Called off the I/O threads.
 */
public final class PolicyChain {

    private static final Logger log = LoggerFactory.getLogger(PolicyChain.class);

    /** A policy in the chain, named for logs. */
    public record Entry(String name, RequestPolicy policy) {}

    record Admitted(Entry entry, Admission admission) {}

    private final List<Entry> ordered;
    private final LongAdder settleFailures = new LongAdder();

    public PolicyChain(List<Entry> policies) {
        List<Entry> sorted = new ArrayList<>(policies);
        sorted.sort(Comparator.comparing((Entry e) -> e.policy().phase() == PolicyPhase.AUTHENTICATE ? 0 : 1));
        this.ordered = List.copyOf(sorted);
    }

    public boolean isEmpty() {
        return ordered.isEmpty();
    }

    public long settleFailures() {
        return settleFailures.sum();
    }

    /** Admits {@code r}; returns the rejection, or {@code null} when every policy admitted it. */
    GatewayException admit(GatewayRequest r, Headers clientHeaders) {
        PolicyRequest pr = new PolicyRequest(r.requestId, r.endpoint.path(), r.model.name(), r.stream, clientHeaders, r.body, r.principal);
        for (Entry e : ordered) {
            Admission a;
            try {
                a = e.policy().admit(pr);
            } catch (GatewayException rejected) {
                return rejected;
            } catch (RuntimeException bug) {
                return GatewayException.internal("request policy " + e.name() + " failed", bug);
            }
            if (a == null) {
                a = Admission.PROCEED;
            }
            r.admitted.add(new Admitted(e, a));
            r.addResponseHeaders(a);
            if (a.principal() != null) {
                r.principal = a.principal();
                pr = pr.withPrincipal(a.principal());
            }
        }
        return null;
    }

    /** Settles every admitted policy of {@code r} in reverse order. */
    void settle(GatewayRequest r, Headers clientHeaders, Outcome outcome) {
        PolicyRequest pr = new PolicyRequest(r.requestId, r.endpoint.path(), r.model.name(), r.stream, clientHeaders, r.body, r.principal);
        for (int i = r.admitted.size() - 1; i >= 0; i--) {
            Admitted a = r.admitted.get(i);
            try {
                a.entry().policy().settle(pr, a.admission(), outcome);
            } catch (RuntimeException e) {
                settleFailures.increment();
                log.warn("policy {} failed to settle request {}", a.entry().name(), r.requestId, e);
            }
        }
    }
}
