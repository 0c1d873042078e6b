package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.AttemptInfo;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyPhase;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.RequestPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs request policies as {@link RequestPolicy} documents: admission once per request,
 * authenticate phase first, each phase in configuration order, one policy after the other,
 * short-circuit on the first rejection or answer; before each attempt the admitted policies in
 * order; settlement in reverse order for every admitted policy, failures logged and counted.
 *
 * <p>Every continuation runs on the request's I/O thread, whatever thread a policy's stage
 * completes on, so the request's list of admitted policies is only ever touched there.
 */
public final class PolicyChain {

    private static final Logger log = LoggerFactory.getLogger(PolicyChain.class);

    /** A policy in the chain, named for logs. */
    public record Entry(String name, RequestPolicy policy) {}

    /** A policy that admitted a request, with its latest admission. */
    static final class Admitted {
        final Entry entry;
        Admission admission;

        Admitted(Entry entry, Admission admission) {
            this.entry = entry;
            this.admission = admission;
        }
    }

    private final List<Entry> ordered;
    private final LongAdder settleFailures = new LongAdder();
    private final AtomicLong pendingSettlements = new AtomicLong();

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

    /** Settlements started and not yet finished; graceful shutdown waits for them. */
    public long pendingSettlements() {
        return pendingSettlements.get();
    }

    /** What admission ended with: a rejection, an answer, or consent. */
    record Verdict(GatewayException rejection, Admission answer) {
        static final Verdict PROCEED = new Verdict(null, null);
    }

    /**
     * Admits {@code r}: calls {@code done} on the request's thread with the verdict. Each admitted
     * policy is appended to {@code r.admitted} before the next one runs.
     */
    void admit(Lifecycle r, Consumer<Verdict> done) {
        admitFrom(r, 0, done);
    }

    private void admitFrom(Lifecycle r, int index, Consumer<Verdict> done) {
        if (index == ordered.size()) {
            done.accept(Verdict.PROCEED);
            return;
        }
        Entry e = ordered.get(index);
        PolicyRequest pr = r.policyRequest();
        call(r, () -> e.policy().admit(pr), "request policy " + e.name(), (admission, error) -> {
            if (error != null) {
                done.accept(new Verdict(error, null));
                return;
            }
            Admission a = admission == null ? Admission.proceed() : admission;
            if (!r.admitted(new Admitted(e, a))) {
                done.accept(Verdict.PROCEED);
                return;
            }
            if (a.answer().isPresent()) {
                done.accept(new Verdict(null, a));
                return;
            }
            admitFrom(r, index + 1, done);
        });
    }

    /** Runs {@link RequestPolicy#beforeAttempt} for every admitted policy, in order. */
    void beforeAttempt(Lifecycle r, AttemptInfo attempt, Consumer<GatewayException> done) {
        beforeAttemptFrom(r, r.admittedPolicies(), 0, attempt, done);
    }

    private void beforeAttemptFrom(Lifecycle r, List<Admitted> admitted, int index, AttemptInfo attempt,
            Consumer<GatewayException> done) {
        if (index == admitted.size()) {
            done.accept(null);
            return;
        }
        Admitted a = admitted.get(index);
        PolicyRequest pr = r.policyRequest();
        call(r, () -> a.entry.policy().beforeAttempt(pr, a.admission, attempt), "request policy " + a.entry.name(),
                (admission, error) -> {
                    if (error != null) {
                        done.accept(error);
                        return;
                    }
                    if (admission != null) {
                        a.admission = admission;
                    }
                    beforeAttemptFrom(r, admitted, index + 1, attempt, done);
                });
    }

    /** Settles every admitted policy of {@code r} in reverse order, each after the previous one finished. */
    void settle(Lifecycle r, Outcome outcome) {
        List<Admitted> admitted = r.admittedPolicies();
        if (admitted.isEmpty()) {
            return;
        }
        pendingSettlements.incrementAndGet();
        settleFrom(r, admitted, admitted.size() - 1, outcome);
    }

    /** Settles one admission that arrived too late to be used. */
    void settleLate(Lifecycle r, Admitted a, Outcome outcome) {
        pendingSettlements.incrementAndGet();
        settleFrom(r, List.of(a), 0, outcome);
    }

    private void settleFrom(Lifecycle r, List<Admitted> admitted, int from, Outcome outcome) {
        int index = nextSettling(admitted, from);
        if (index < 0) {
            pendingSettlements.decrementAndGet();
            return;
        }
        Admitted a = admitted.get(index);
        PolicyRequest pr = r.policyRequest();
        // after the last settlement only a counter is left: it need not hop back to the request's thread
        boolean last = nextSettling(admitted, index - 1) < 0;
        call(r, () -> a.entry.policy().settle(pr, a.admission, outcome), "request policy " + a.entry.name(), !last,
                (ignored, error) -> {
                    if (error != null) {
                        settleFailures.increment();
                        log.warn("policy {} failed to settle request {}: {}", a.entry.name(), r.requestId(), error.getMessage(),
                                error.getCause());
                    }
                    settleFrom(r, admitted, index - 1, outcome);
                });
    }

    /** The highest index at or below {@code from} whose policy has a settle hook of its own; -1 when none. */
    private static int nextSettling(List<Admitted> admitted, int from) {
        int i = from;
        while (i >= 0 && !settles(admitted.get(i).entry.policy())) {
            i--;
        }
        return i;
    }

    /** False for a policy that keeps {@link RequestPolicy}'s default settle, which does nothing. */
    private static boolean settles(RequestPolicy policy) {
        return SETTLES.get(policy.getClass());
    }

    private static final ClassValue<Boolean> SETTLES = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("settle", PolicyRequest.class, dev.tollgate.spi.policy.Admission.class, Outcome.class)
                        .getDeclaringClass() != RequestPolicy.class;
            } catch (NoSuchMethodException e) {
                return true;
            }
        }
    };

    private interface Hook<T> {
        CompletionStage<T> call();
    }

    private interface Then<T> {
        void accept(T value, GatewayException error);
    }

    /**
     * Calls one hook and continues on the request's thread. A hook that throws, returns no stage,
     * or fails with anything but a {@link GatewayException} is a bug in the policy: the request
     * gets a 500, and {@link Error}s are caught too (an isolated plugin's NoClassDefFoundError
     * must not hang the request).
     */
    private static <T> void call(Lifecycle r, Hook<T> hook, String what, Then<T> then) {
        call(r, hook, what, true, then);
    }

    /** {@code hop}: whether {@code then} must run on the request's thread when the stage completes elsewhere. */
    private static <T> void call(Lifecycle r, Hook<T> hook, String what, boolean hop, Then<T> then) {
        CompletionStage<T> stage;
        try {
            stage = hook.call();
        } catch (GatewayException rejected) {
            then.accept(null, rejected);
            return;
        } catch (Throwable bug) {
            then.accept(null, GatewayException.internal(what + " failed", bug));
            return;
        }
        if (stage == null) {
            then.accept(null, GatewayException.internal(what + " returned no result", null));
            return;
        }
        stage.whenComplete((value, failure) -> {
            Runnable next = () -> {
                if (failure == null) {
                    then.accept(value, null);
                    return;
                }
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                then.accept(null, cause instanceof GatewayException g ? g : GatewayException.internal(what + " failed", cause));
            };
            if (hop) {
                r.onThread(next);
            } else {
                next.run();
            }
        });
    }

    static GatewayException admissionTimeout(long millis) {
        return GatewayException.builder(ErrorType.INTERNAL, 503, "admission_timeout")
                .message("the gateway's request policies did not decide within " + millis + " ms; retry later")
                .build();
    }
}
