package dev.tollgate.kernel.governance.limits;

import static dev.tollgate.kernel.governance.limits.PolicyHarness.BERLIN;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.START;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.answered;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.failedWithoutUsage;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.principal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.kernel.governance.limits.PolicyHarness.Verdict;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.state.StateBackend;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GovernanceBudgetTest {

    /** 1000 prompt tokens at $1/M plus 500 output tokens at $2/M. */
    private static final long WORST_CASE = 2000;

    private final PolicyHarness h = new PolicyHarness();

    private static Limits budget(long micros, Period period) {
        return Limits.builder().budget(new Budget(micros, period)).build();
    }

    private Verdict admitWorstCase(VirtualKey k) {
        return h.admit(h.request(principal(k), "gpt", 1000, 500));
    }

    private String budgetCounter(String kind, String id, Period period) {
        BudgetPeriods.Span span = new BudgetPeriods(BERLIN).spanAt(period, h.time.instant());
        return GovernancePolicy.budgetKey(kind, id, period, span);
    }

    @Test
    void aBudgetForTenWorstCasesIsNeverOverspentByAHundredConcurrentRequests() throws Exception {
        VirtualKey alice = h.key("k1", "alice", null, budget(10 * WORST_CASE, Period.DAILY));
        Random random = new Random(42);
        long settledSum = 0;
        int admittedTotal = 0;
        GatewayException refusal = null;
        for (int round = 0; round < 20; round++) {
            List<Verdict> verdicts = h.admitConcurrently(100, () -> h.request(principal(alice), "gpt", 1000, 500));
            List<Verdict> admitted = PolicyHarness.admitted(verdicts);
            if (round == 0) {
                assertThat(admitted).hasSize(10);
            }
            for (Verdict v : verdicts) {
                if (!v.admitted()) {
                    refusal = v.refusal();
                }
            }
            for (Verdict v : admitted) {
                Usage usage = Usage.of(1000, random.nextInt(501));
                Outcome o = answered(usage);
                settledSum += o.cost().micros().getAsLong();
                h.settle(v, o);
            }
            admittedTotal += admitted.size();
            if (admitted.isEmpty()) {
                break;
            }
        }
        assertThat(settledSum).isLessThanOrEqualTo(10 * WORST_CASE);
        assertThat(admittedTotal).isGreaterThan(10);
        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isEqualTo(settledSum);
        List<SpendEntry> ledger = h.store.entries();
        assertThat(ledger).hasSize(admittedTotal);
        assertThat(ledger.stream().mapToLong(SpendEntry::microUsd).sum()).isEqualTo(settledSum);

        assertThat(refusal).isNotNull();
        assertThat(refusal.status()).isEqualTo(429);
        assertThat(refusal.type()).isEqualTo(ErrorType.BUDGET);
        assertThat(refusal.code()).isEqualTo("insufficient_quota");
        assertThat(refusal.getMessage())
                .isEqualTo("key 'alice' has used its daily budget of $0.020000; it resets at 2026-12-03T00:00+01:00");
        assertThat(refusal.retryAfter()).contains(Duration.ofHours(12).plusMinutes(59).plusSeconds(30));
    }

    @Test
    void aTeamOverItsBudgetRefusesAKeyUnderItsOwnAndNamesTheTeam() {
        h.team("org", "acme", null, Limits.NONE);
        h.team("t1", "research", "org", budget(3000, Period.MONTHLY));
        VirtualKey alice = h.key("k1", "alice", "t1", budget(1_000_000, Period.DAILY));
        VirtualKey bob = h.key("k2", "bob", "t1", Limits.NONE);
        h.settle(admitWorstCase(bob), answered(Usage.of(1000, 500)));

        GatewayException e = admitWorstCase(alice).refusal();
        assertThat(e.code()).isEqualTo("insufficient_quota");
        assertThat(e.getMessage())
                .isEqualTo("team 'research' has used its monthly budget of $0.003000; it resets at 2027-01-01T00:00+01:00");
        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isZero();
        assertThat(h.admit(h.request(principal(alice), "gpt", 100, 100)).admitted()).as("a cheaper request fits").isTrue();
    }

    @Test
    void reseedingRestoresBudgetCountersTheSharedStateLost() {
        VirtualKey alice = h.key("k1", "alice", null, budget(WORST_CASE, Period.DAILY));
        h.settle(admitWorstCase(alice), answered(Usage.of(1000, 500)));
        assertThat(admitWorstCase(alice).admitted()).as("the budget is used up").isFalse();
        String counter = budgetCounter("key", "k1", Period.DAILY);
        long spent = h.counter(counter);
        // a Redis that restarted without its data: the counter is gone, the ledger still has the spend
        h.state.adjust(counter, -spent, Duration.ofDays(2)).toCompletableFuture().join();
        assertThat(h.counter(counter)).isZero();

        assertThat(h.policy().seedBudgets()).isEqualTo(1);

        assertThat(h.counter(counter)).isEqualTo(spent);
        assertThat(admitWorstCase(alice).admitted()).as("the periodic re-seed closes the gap a lost counter opened").isFalse();
    }

    @Test
    void aDailyBudgetResetsAtLocalMidnight() {
        VirtualKey alice = h.key("k1", "alice", null, budget(WORST_CASE, Period.DAILY));
        h.settle(admitWorstCase(alice), answered(Usage.of(1000, 500)));
        assertThat(admitWorstCase(alice).admitted()).isFalse();
        h.time.advance(Duration.between(START, Instant.parse("2026-12-02T22:59:59Z")));
        assertThat(admitWorstCase(alice).refusal().retryAfter()).contains(Duration.ofSeconds(1));
        h.time.advance(Duration.ofSeconds(1));
        assertThat(admitWorstCase(alice).admitted()).isTrue();
    }

    @Test
    void aWeeklyBudgetResetsOnMondayAtLocalMidnight() {
        VirtualKey alice = h.key("k1", "alice", null, budget(WORST_CASE, Period.WEEKLY));
        h.settle(admitWorstCase(alice), answered(Usage.of(1000, 500)));
        h.time.advance(Duration.between(START, Instant.parse("2026-12-06T22:59:59Z")));
        assertThat(admitWorstCase(alice).refusal().getMessage())
                .endsWith("weekly budget of $0.002000; it resets at 2026-12-07T00:00+01:00");
        h.time.advance(Duration.ofSeconds(1));
        assertThat(admitWorstCase(alice).admitted()).isTrue();
    }

    @Test
    void aMonthlyBudgetResetsOnTheFirstAtLocalMidnight() {
        VirtualKey alice = h.key("k1", "alice", null, budget(WORST_CASE, Period.MONTHLY));
        h.settle(admitWorstCase(alice), answered(Usage.of(1000, 500)));
        h.time.advance(Duration.between(START, Instant.parse("2026-12-31T22:59:59Z")));
        assertThat(admitWorstCase(alice).admitted()).isFalse();
        h.time.advance(Duration.ofSeconds(1));
        assertThat(admitWorstCase(alice).admitted()).isTrue();
    }

    @Test
    void aBudgetWithoutPeriodNeverResets() {
        VirtualKey alice = h.key("k1", "alice", null, budget(WORST_CASE, Period.NONE));
        h.settle(admitWorstCase(alice), answered(Usage.of(1000, 500)));
        h.time.advance(Duration.ofDays(400));
        GatewayException e = admitWorstCase(alice).refusal();
        assertThat(e.getMessage()).isEqualTo("key 'alice' has used its budget of $0.002000; it does not reset");
        assertThat(e.retryAfter()).isEmpty();
    }

    @Test
    void aBudgetOfZeroRefusesEvenFreeRequests() {
        VirtualKey alice = h.key("k1", "alice", null, budget(0, Period.DAILY));
        GatewayException e = h.refused(h.request(principal(alice), "gpt", 0, 0));
        assertThat(e.code()).isEqualTo("insufficient_quota");
        assertThat(e.getMessage()).startsWith("key 'alice' has a daily budget of $0;");
    }

    @Test
    void aWorstCaseLargerThanTheWholeBudgetSaysSo() {
        VirtualKey alice = h.key("k1", "alice", null, budget(1000, Period.DAILY));
        assertThat(admitWorstCase(alice).refusal().getMessage()).contains(
                "this request's worst-case cost of $0.002000 is more than the whole budget (lower max_tokens)");
    }

    @Test
    void aFailedRequestWithoutUsageReleasesItsBudgetHold() {
        VirtualKey alice = h.key("k1", "alice", null, budget(WORST_CASE, Period.DAILY));
        h.settle(admitWorstCase(alice), failedWithoutUsage());
        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isZero();
        assertThat(admitWorstCase(alice).admitted()).isTrue();
        assertThat(h.store.entries()).singleElement().satisfies(e -> assertThat(e.microUsd()).isNull());
    }

    @Test
    void anUnknownCostKeepsTheWorstCaseAndIsCounted() {
        VirtualKey alice = h.key("k1", "alice", null, budget(10 * WORST_CASE, Period.DAILY));
        Usage usage = Usage.of(10, 10);
        Outcome unpricedDeployment = Outcome.builder(200, Duration.ofMillis(5)).usage(usage).cost(Cost.unknown()).model("gpt")
                .attempts(List.of(new AttemptRecord(0, "gpt#1", AttemptRecord.Result.SUCCEEDED, null, Duration.ofMillis(5), null, usage)))
                .build();
        h.settle(admitWorstCase(alice), unpricedDeployment);
        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isEqualTo(WORST_CASE);
        assertThat(h.policy().unknownCostSettlements()).isEqualTo(1);
    }

    @Test
    void anUnpricedModelIsRefusedOnABudgetGovernedKey() {
        h.team("t1", "research", null, budget(1_000_000, Period.DAILY));
        VirtualKey alice = h.key("k1", "alice", null, budget(1_000_000, Period.DAILY));
        VirtualKey carol = h.key("k3", "carol", "t1", Limits.NONE);
        VirtualKey free = h.key("k2", "free", null, Limits.builder().rpm(100L).build());

        GatewayException e = h.refused(h.request(principal(alice), "free-llm", 10, 10));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.code()).isEqualTo("model_not_priced");
        assertThat(e.getMessage()).isEqualTo("model 'free-llm' has no price in the model catalog, so the budget of key 'alice' "
                + "cannot be enforced; ask an administrator to price it");
        assertThat(h.refused(h.request(principal(carol), "free-llm", 10, 10)).getMessage()).contains("team 'research'");
        assertThat(h.admit(h.request(principal(free), "free-llm", 10, 10)).admitted()).as("no budget, no price needed").isTrue();
    }

    @Test
    void allowUnpricedAdmitsAndCountsTheCostAsUnknown() {
        h.options = new GovernancePolicy.Options(Duration.ofMinutes(15), true, 4096);
        VirtualKey alice = h.key("k1", "alice", null, budget(1_000_000, Period.DAILY));
        Verdict v = h.admit(h.request(principal(alice), "free-llm", 10, 10));
        assertThat(v.admitted()).isTrue();
        h.settle(v, answered("free-llm", Usage.of(10, 10)));
        assertThat(h.policy().unknownCostSettlements()).isEqualTo(1);
        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isZero();
        assertThat(h.store.entries()).singleElement().satisfies(e -> {
            assertThat(e.microUsd()).isNull();
            assertThat(e.model()).isEqualTo("free-llm");
        });
    }

    @Test
    void theLedgerEntryIsWrittenOnTheExecutorAndSettleWaitsForIt() {
        Queue<Runnable> ledgerThread = new ArrayDeque<>();
        h.ledgerExecutor = ledgerThread::add;
        h.team("org", "acme", null, Limits.NONE);
        h.team("t1", "research", "org", budget(1_000_000, Period.DAILY));
        VirtualKey alice = h.key("k1", "alice", "t1", Limits.NONE);
        Verdict v = admitWorstCase(alice);
        h.time.advance(Duration.ofSeconds(3));

        CompletableFuture<Void> settled = h.policy().settle(v.request(), v.admission(), answered(Usage.of(800, 100)))
                .toCompletableFuture();
        assertThat(settled).isNotDone();
        assertThat(h.store.entries()).isEmpty();
        ledgerThread.poll().run();
        assertThat(settled).isCompletedWithValue(null);
        assertThat(h.store.entries()).singleElement().isEqualTo(SpendEntry.builder().requestId(v.request().requestId())
                .at(START.plusSeconds(3)).keyId("k1").teamPath(List.of("t1", "org")).model("gpt").microUsd(1000L).inputTokens(800)
                .outputTokens(100).build());
    }

    @Test
    void aFailedLedgerWriteIsCountedAndNeverFailsTheSettlement() {
        h.store.failWrites = new IllegalStateException("disk full");
        VirtualKey alice = h.key("k1", "alice", null, budget(10 * WORST_CASE, Period.DAILY));
        Verdict v = admitWorstCase(alice);
        CompletableFuture<Void> settled = h.policy().settle(v.request(), v.admission(), answered(Usage.of(1000, 0)))
                .toCompletableFuture();
        assertThat(settled).isCompletedWithValue(null);
        assertThat(h.policy().ledgerFailures()).isEqualTo(1);
        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isEqualTo(1000);
    }

    @Test
    void seedingRestoresThisPeriodsSpendAfterARestart() {
        h.team("t1", "research", null, budget(10_000, Period.DAILY));
        h.modelLimits.put("gpt", budget(100_000, Period.MONTHLY));
        VirtualKey alice = h.key("k1", "alice", "t1", budget(4000, Period.DAILY));
        h.key("k2", "bob", "t1", Limits.NONE);
        h.store.recordSpend(List.of(
                SpendEntry.builder().requestId("old").at(START.minus(Duration.ofDays(1))).keyId("k1").teamPath(List.of("t1"))
                        .model("gpt").microUsd(5000L).inputTokens(1).outputTokens(1).build(),
                SpendEntry.builder().requestId("a").at(START.minus(Duration.ofHours(1))).keyId("k1").teamPath(List.of("t1"))
                        .model("gpt").microUsd(1500L).inputTokens(1).outputTokens(1).build(),
                SpendEntry.builder().requestId("b").at(START.minus(Duration.ofHours(2))).keyId("k2").teamPath(List.of("t1"))
                        .model("gpt").microUsd(700L).inputTokens(1).outputTokens(1).build(),
                SpendEntry.builder().requestId("c").at(START.minus(Duration.ofHours(2))).keyId("k2").teamPath(List.of("t1"))
                        .model("gpt").inputTokens(1).outputTokens(1).build()));

        assertThat(h.policy().seedBudgets()).isEqualTo(3);

        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isEqualTo(1500);
        assertThat(h.counter(budgetCounter("team", "t1", Period.DAILY))).isEqualTo(2200);
        assertThat(h.counter(budgetCounter("model", "gpt", Period.MONTHLY))).isEqualTo(7200);
        assertThat(h.policy().seedBudgets()).as("seeding again adds nothing").isZero();
        assertThat(h.counter(budgetCounter("key", "k1", Period.DAILY))).isEqualTo(1500);
        Verdict first = admitWorstCase(alice);
        assertThat(first.admitted()).isTrue();
        assertThat(admitWorstCase(alice).refusal().getMessage()).startsWith("key 'alice' has used its daily budget");
    }

    @Test
    void aFailingStateBackendRefusesWith503() {
        VirtualKey alice = h.key("k1", "alice", null, budget(10 * WORST_CASE, Period.DAILY));
        h.directory.reload(h.store);
        StateBackend down = (StateBackend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {StateBackend.class},
                (proxy, method, args) -> CompletableFuture.failedFuture(new IllegalStateException("connection refused")));
        GovernancePolicy policy = new GovernancePolicy(h.directory, down, m -> Optional.empty(), Map.of(), h.time.clock(), BERLIN,
                null, null, new GovernancePolicy.Options(Duration.ofMinutes(15), true, 4096));

        assertThatThrownBy(() -> policy.admit(h.request(principal(alice))).toCompletableFuture().join())
                .cause().isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.code()).isEqualTo("governance_unavailable");
                    assertThat(e.getMessage()).doesNotContain("connection refused");
                });
    }
}
