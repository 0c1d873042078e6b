package dev.tollgate.kernel.governance.limits;

import static dev.tollgate.kernel.governance.limits.PolicyHarness.answered;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.header;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.principal;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.kernel.governance.limits.OnStateOutage.Mode;
import dev.tollgate.kernel.governance.limits.PolicyHarness.Verdict;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.state.StateBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * The limits policy while its state backend is unreachable: per concern, admitted without holds
 * (marked degraded and counted) or refused with 503, and governed again once the backend answers.
 */
class GovernanceStateOutageTest {

    /** What the unreachable backend fails with: the shape of the Redis plugin's failure, its cause naming a host. */
    private static final String HOST_DETAIL = "redis.internal.example:6379";

    private final PolicyHarness h = new PolicyHarness();
    /** How the backend fails: {@code null} while it works. */
    private volatile Failure failure;
    private final AtomicInteger reserves = new AtomicInteger();
    private final AtomicInteger settles = new AtomicInteger();
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    private final Logger policyLog = (Logger) LoggerFactory.getLogger(GovernancePolicy.class);

    enum Failure { FAILED_STAGE, THROWN }

    @BeforeEach
    void switchableBackend() {
        h.backend = (StateBackend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {StateBackend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("reserve")) {
                        reserves.incrementAndGet();
                    } else if (method.getName().equals("settle")) {
                        settles.incrementAndGet();
                    }
                    Failure f = failure;
                    if (f != null && method.getReturnType() == java.util.concurrent.CompletionStage.class) {
                        GatewayException down = GatewayException.builder(ErrorType.INTERNAL, 503, "state_unavailable")
                                .message("shared state (Redis) is unavailable")
                                .cause(new java.net.ConnectException("Connection refused: " + HOST_DETAIL)).build();
                        if (f == Failure.THROWN) {
                            throw new IllegalStateException("client closed: " + HOST_DETAIL);
                        }
                        return CompletableFuture.failedFuture(down);
                    }
                    try {
                        return method.invoke(h.state, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        warnings.start();
        policyLog.addAppender(warnings);
    }

    @AfterEach
    void detach() {
        policyLog.detachAppender(warnings);
    }

    private static Limits rpmAndBudget(Long rpm, boolean budget) {
        return Limits.builder().rpm(rpm).budget(budget ? new Budget(1_000_000, Period.DAILY) : null).build();
    }

    private void outage(Mode rateLimits, Mode budgets) {
        h.options = new GovernancePolicy.Options(Duration.ofMinutes(15), false, 4096, new OnStateOutage(rateLimits, budgets));
    }

    private String metric(String name) {
        return h.metrics.prometheus().lines().filter(l -> l.startsWith(name + " ")).findFirst().orElse("(absent)");
    }

    @ParameterizedTest(name = "rate_limits {0}, budgets {1}, key with {2} -> {3}")
    @CsvSource({
            "OPEN,   CLOSED, rpm,    degraded",
            "OPEN,   CLOSED, budget, refused",
            "OPEN,   CLOSED, both,   refused",
            "OPEN,   OPEN,   rpm,    degraded",
            "OPEN,   OPEN,   budget, degraded",
            "OPEN,   OPEN,   both,   degraded",
            "CLOSED, CLOSED, rpm,    refused",
            "CLOSED, CLOSED, budget, refused",
            "CLOSED, CLOSED, both,   refused",
            "CLOSED, OPEN,   rpm,    refused",
            "CLOSED, OPEN,   budget, degraded",
            "CLOSED, OPEN,   both,   refused",
    })
    void eachConcernFollowsItsOwnSetting(Mode rateLimits, Mode budgets, String governedBy, String expected) {
        outage(rateLimits, budgets);
        VirtualKey k = h.key("k1", "alice", null, rpmAndBudget(governedBy.equals("budget") ? null : 10L, !governedBy.equals("rpm")));
        failure = Failure.FAILED_STAGE;

        Verdict v = h.admit(principal(k));

        assertThat(reserves).as("the backend was asked").hasValue(1);
        if (expected.equals("degraded")) {
            assertThat(v.admitted()).isTrue();
            assertThat(header(v.admission(), GovernancePolicy.DEGRADED_HEADER)).containsExactly("degraded");
            assertThat(header(v.admission(), "x-ratelimit-limit-requests")).isEmpty();
            assertThat(h.policy().degradedAdmissions()).isEqualTo(1);
            assertThat(metric("tollgate_governance_degraded_total")).isEqualTo("tollgate_governance_degraded_total 1");
        } else {
            GatewayException e = v.refusal();
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("governance_unavailable");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
            assertThat(e.getMessage()).contains("key 'alice'").contains("the shared state is unreachable")
                    .doesNotContain("Redis").doesNotContain(HOST_DETAIL);
            assertThat(h.policy().degradedAdmissions()).isZero();
            assertThat(metric("tollgate_governance_degraded_total")).isEqualTo("tollgate_governance_degraded_total 0");
        }
    }

    @Test
    void aRefusalNamesTheConcernThatIsClosed() {
        outage(Mode.OPEN, Mode.CLOSED);
        h.team("t1", "finance", null, rpmAndBudget(null, true));
        VirtualKey k = h.key("k1", "alice", "t1", PolicyHarness.rpm(10));
        failure = Failure.FAILED_STAGE;

        assertThat(h.refused(h.request(principal(k))).getMessage())
                .startsWith("the budget of team 'finance' cannot be checked: the shared state is unreachable");
    }

    @Test
    void aBackendThatThrowsInsteadOfFailingItsStageIsTreatedAlike() {
        outage(Mode.OPEN, Mode.CLOSED);
        VirtualKey rpmOnly = h.key("k1", "alice", null, PolicyHarness.rpm(10));
        VirtualKey budgeted = h.key("k2", "bob", null, rpmAndBudget(null, true));
        failure = Failure.THROWN;

        assertThat(header(h.admit(principal(rpmOnly)).admission(), GovernancePolicy.DEGRADED_HEADER)).containsExactly("degraded");
        GatewayException e = h.refused(h.request(principal(budgeted)));
        assertThat(e.code()).isEqualTo("governance_unavailable");
        assertThat(e.getMessage()).doesNotContain(HOST_DETAIL);
    }

    @Test
    void settlingADegradedAdmissionTouchesNoCounterButStillRecordsTheSpend() {
        outage(Mode.OPEN, Mode.OPEN);
        VirtualKey k = h.key("k1", "alice", null, rpmAndBudget(10L, true));
        failure = Failure.FAILED_STAGE;
        Verdict v = h.admit(principal(k));
        failure = null;

        h.settle(v, answered(Usage.builder().inputTokens(100).outputTokens(50).build()));

        assertThat(settles).as("nothing to settle on the backend").hasValue(0);
        assertThat(h.counter("rl:key:k1:rpm:" + h.minute())).isZero();
        assertThat(h.store.entries()).singleElement().satisfies(e -> assertThat(e.microUsd()).isEqualTo(200L));
        assertThat(h.policy().stateSettleFailures()).isZero();
    }

    @Test
    void aSettlementTheBackendFailsCompletesAndIsCounted() {
        VirtualKey k = h.key("k1", "alice", null, PolicyHarness.rpm(10));
        Verdict v = h.admit(principal(k));
        assertThat(header(v.admission(), GovernancePolicy.DEGRADED_HEADER)).isEmpty();
        failure = Failure.FAILED_STAGE;

        h.settle(v, answered(Usage.builder().inputTokens(100).outputTokens(50).build()));

        assertThat(settles).hasValue(1);
        assertThat(h.policy().stateSettleFailures()).isEqualTo(1);
        assertThat(metric("tollgate_governance_settle_failures_total")).isEqualTo("tollgate_governance_settle_failures_total 1");
        assertThat(h.store.entries()).as("the ledger still has it").hasSize(1);
    }

    @Test
    void governanceComesBackWithTheBackendWithoutRememberingTheFailure() {
        VirtualKey k = h.key("k1", "alice", null, PolicyHarness.rpm(2));
        failure = Failure.FAILED_STAGE;
        for (int i = 0; i < 5; i++) {
            assertThat(h.admit(principal(k)).admitted()).as("unenforced while down").isTrue();
        }
        failure = null;

        Verdict first = h.admit(principal(k));
        assertThat(header(first.admission(), GovernancePolicy.DEGRADED_HEADER)).isEmpty();
        assertThat(header(first.admission(), "x-ratelimit-limit-requests")).containsExactly("2");
        assertThat(h.admit(principal(k)).admitted()).isTrue();
        GatewayException third = h.refused(h.request(principal(k)));
        assertThat(third.status()).isEqualTo(429);
        assertThat(h.policy().degradedAdmissions()).isEqualTo(5);
    }

    @Test
    void anOutageIsLoggedAtMostOnceEveryTenSecondsPerKind() {
        outage(Mode.OPEN, Mode.CLOSED);
        VirtualKey rpmOnly = h.key("k1", "alice", null, PolicyHarness.rpm(1000));
        VirtualKey budgeted = h.key("k2", "bob", null, rpmAndBudget(null, true));
        failure = Failure.FAILED_STAGE;

        for (int i = 0; i < 20; i++) {
            h.admit(principal(rpmOnly));
            h.admit(principal(budgeted));
        }
        assertThat(warnings.list).hasSize(2);
        h.time.advance(Duration.ofSeconds(9));
        h.admit(principal(rpmOnly));
        assertThat(warnings.list).hasSize(2);
        h.time.advance(Duration.ofSeconds(1));
        h.admit(principal(rpmOnly));
        h.admit(principal(budgeted));

        List<String> lines = warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).hasSize(4);
        assertThat(lines).allSatisfy(l -> assertThat(l).contains("503 state_unavailable").contains("java.net.ConnectException")
                .doesNotContain(HOST_DETAIL));
        assertThat(lines.get(0)).contains("admitted unenforced");
        assertThat(lines.get(1)).contains("get 503");
    }

    @Test
    void theDefaultsKeepRateLimitsOpenAndBudgetsClosed() {
        assertThat(GovernancePolicy.Options.DEFAULTS.onStateOutage()).isEqualTo(new OnStateOutage(Mode.OPEN, Mode.CLOSED));
        assertThat(OnStateOutage.DEFAULTS).isEqualTo(new OnStateOutage(Mode.OPEN, Mode.CLOSED));
    }
}
