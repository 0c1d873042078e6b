package dev.tollgate.kernel.governance.limits;

import static dev.tollgate.kernel.governance.limits.PolicyHarness.answered;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.answeredWithoutUsage;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.failedWithoutUsage;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.header;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.principal;
import static dev.tollgate.kernel.governance.limits.PolicyHarness.rpm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.kernel.governance.limits.PolicyHarness.Verdict;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GovernanceRateLimitTest {

    private final PolicyHarness h = new PolicyHarness();

    @Test
    void rpmOfTenAdmitsExactlyTenOfFiftyConcurrentRequests() throws Exception {
        VirtualKey alice = h.key("k1", "alice", null, rpm(10));

        List<Verdict> verdicts = h.admitConcurrently(50, () -> h.request(principal(alice)));

        List<Verdict> admitted = PolicyHarness.admitted(verdicts);
        assertThat(admitted).hasSize(10);
        for (Verdict v : admitted) {
            assertThat(header(v.admission(), "x-ratelimit-limit-requests")).containsExactly("10");
            assertThat(header(v.admission(), "x-ratelimit-reset-requests")).containsExactly("30s");
            assertThat(Long.parseLong(header(v.admission(), "x-ratelimit-remaining-requests").get(0))).isBetween(0L, 9L);
        }
        List<GatewayException> refusals = verdicts.stream().filter(v -> !v.admitted()).map(Verdict::refusal).toList();
        assertThat(refusals).hasSize(40).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMITED);
            assertThat(e.code()).isEqualTo("rate_limit_exceeded");
            assertThat(e.getMessage()).isEqualTo("key 'alice' is over its requests-per-minute limit (10)");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
            assertThat(e.headers().first("x-ratelimit-remaining-requests")).contains("0");
            assertThat(e.headers().first("x-ratelimit-limit-requests")).contains("10");
        });
    }

    @Test
    void remainingRequestsCountsDownFromTheLimit() {
        VirtualKey alice = h.key("k1", "alice", null, rpm(3));
        List<String> remaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            remaining.add(header(h.admit(principal(alice)).admission(), "x-ratelimit-remaining-requests").get(0));
        }
        assertThat(remaining).containsExactly("2", "1", "0");
    }

    @Test
    void rpmWindowResetsAfterAMinuteOfManualTime() {
        VirtualKey alice = h.key("k1", "alice", null, rpm(2));
        for (int i = 0; i < 2; i++) {
            h.settle(h.admit(principal(alice)), answered(Usage.of(10, 10)));
        }
        assertThat(h.admit(principal(alice)).admitted()).isFalse();

        h.time.advance(Duration.ofSeconds(29));
        assertThat(h.refused(h.request(principal(alice))).retryAfter()).contains(Duration.ofSeconds(1));
        h.time.advance(Duration.ofSeconds(1));
        Verdict next = h.admit(principal(alice));
        assertThat(next.admitted()).isTrue();
        assertThat(header(next.admission(), "x-ratelimit-remaining-requests")).containsExactly("1");
        assertThat(header(next.admission(), "x-ratelimit-reset-requests")).containsExactly("1m0s");
    }

    @Test
    void tpmHoldsTheEstimateAndSettlesTheActualTokens() {
        VirtualKey alice = h.key("k1", "alice", null, Limits.builder().tpm(1000L).build());
        List<Verdict> admitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Verdict v = h.admit(h.request(principal(alice), "gpt", 100, 100));
            assertThat(v.admitted()).isTrue();
            admitted.add(v);
        }
        assertThat(header(admitted.get(0).admission(), "x-ratelimit-limit-tokens")).containsExactly("1000");
        assertThat(header(admitted.get(0).admission(), "x-ratelimit-remaining-tokens")).containsExactly("800");
        assertThat(header(admitted.get(4).admission(), "x-ratelimit-remaining-tokens")).containsExactly("0");
        GatewayException over = h.refused(h.request(principal(alice), "gpt", 100, 100));
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.getMessage()).isEqualTo("key 'alice' is over its tokens-per-minute limit (1000); this request may take 200 tokens");
        assertThat(over.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(over.headers().first("x-ratelimit-remaining-tokens")).contains("0");

        String key = "rl:key:k1:tpm:" + h.minute();
        h.settle(admitted.get(0), answered(Usage.of(30, 20)));
        assertThat(h.counter(key)).isEqualTo(50);
        assertThat(h.admit(h.request(principal(alice), "gpt", 100, 100)).admitted()).isFalse();
        h.settle(admitted.get(1), answered(Usage.of(30, 20)));
        assertThat(h.counter(key)).isEqualTo(100);
        Verdict fits = h.admit(h.request(principal(alice), "gpt", 100, 100));
        assertThat(fits.admitted()).isTrue();
        assertThat(header(fits.admission(), "x-ratelimit-remaining-tokens")).containsExactly("100");

        h.settle(admitted.get(2), answeredWithoutUsage());
        assertThat(h.counter(key)).as("no usage reported: the estimate stays").isEqualTo(300);
        h.settle(admitted.get(3), failedWithoutUsage());
        assertThat(h.counter(key)).as("failed without usage: tokens released").isEqualTo(300);
        assertThat(h.counter("rl:key:k1:tpm:" + h.minute())).isEqualTo(300);
    }

    @Test
    void tokensWithoutMaxTokensComeFromTheCatalogsOutputLimit() {
        VirtualKey alice = h.key("k1", "alice", null, Limits.builder().tpm(6000L).build());
        Verdict v = h.admit(h.request(principal(alice), "gpt", 100, -1));
        assertThat(header(v.admission(), "x-ratelimit-remaining-tokens")).containsExactly(Long.toString(6000 - 1100));
        Verdict unknown = h.admit(h.request(principal(alice), "not-in-catalog", 100, -1));
        assertThat(header(unknown.admission(), "x-ratelimit-remaining-tokens")).containsExactly(Long.toString(6000 - 1100 - 4196));
    }

    @Test
    void maxParallelOfFourAdmitsFourAndTheFifthAfterOneSettles() {
        VirtualKey alice = h.key("k1", "alice", null, Limits.builder().maxParallel(4).build());
        List<Verdict> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inFlight.add(h.admit(principal(alice)));
        }
        assertThat(inFlight).allMatch(Verdict::admitted);
        GatewayException fifth = h.refused(h.request(principal(alice)));
        assertThat(fifth.status()).isEqualTo(429);
        assertThat(fifth.getMessage()).isEqualTo("key 'alice' is at its limit of 4 parallel requests");
        assertThat(fifth.retryAfter()).contains(Duration.ofSeconds(1));

        h.settle(inFlight.get(2), answered(Usage.of(10, 10)));
        assertThat(h.admit(principal(alice)).admitted()).isTrue();
        assertThat(h.admit(principal(alice)).admitted()).isFalse();
        assertThat(h.counter("rl:key:k1:parallel")).isZero();
    }

    @Test
    void aLimitAtAnyLevelOfTheTeamPathRefusesAndNamesThatLevel() {
        h.team("org", "acme", null, rpm(3));
        h.team("t1", "research", "org", rpm(100));
        VirtualKey alice = h.key("k1", "alice", "t1", rpm(100));
        VirtualKey bob = h.key("k2", "bob", "t1", Limits.NONE);
        for (int i = 0; i < 3; i++) {
            assertThat(h.admit(principal(i % 2 == 0 ? alice : bob)).admitted()).isTrue();
        }
        assertThat(h.refused(h.request(principal(alice))).getMessage())
                .isEqualTo("team 'acme' is over its requests-per-minute limit (3)");
        assertThat(h.refused(h.request(principal(bob))).getMessage())
                .isEqualTo("team 'acme' is over its requests-per-minute limit (3)");
        assertThat(h.counter("rl:key:k1:rpm:" + h.minute())).as("a refused reservation holds nothing").isZero();
    }

    @Test
    void theTightestLevelGivesTheHeaders() {
        h.team("t1", "research", null, rpm(5));
        VirtualKey alice = h.key("k1", "alice", "t1", rpm(100));
        Verdict v = h.admit(principal(alice));
        assertThat(header(v.admission(), "x-ratelimit-limit-requests")).containsExactly("5");
        assertThat(header(v.admission(), "x-ratelimit-remaining-requests")).containsExactly("4");
    }

    @Test
    void modelLimitsApplyToAnonymousAndKeyedCallersTogether() {
        h.modelLimits.put("gpt", rpm(3));
        VirtualKey alice = h.key("k1", "alice", null, Limits.NONE);
        assertThat(h.admit(Principal.ANONYMOUS).admitted()).isTrue();
        assertThat(h.admit(principal(alice)).admitted()).isTrue();
        assertThat(h.admit(Principal.ANONYMOUS).admitted()).isTrue();
        assertThat(h.refused(h.request(Principal.ANONYMOUS)).getMessage())
                .isEqualTo("model 'gpt' is over its requests-per-minute limit (3)");
        assertThat(h.refused(h.request(principal(alice))).getMessage()).isEqualTo("model 'gpt' is over its requests-per-minute limit (3)");
        assertThat(h.admit(h.request(Principal.ANONYMOUS, "other", 10, 10)).admitted()).as("another model").isTrue();
    }

    @Test
    void anonymousCallersMeetNoKeyOrTeamLimits() {
        h.team("t1", "research", null, rpm(0));
        Principal claimsATeam = Principal.builder().teamId("t1").build();
        assertThat(h.admit(claimsATeam).admitted()).isTrue();
    }

    @Test
    void aLimitOfZeroRefusesEverythingAtItsLevel() {
        h.team("t1", "research", null, Limits.builder().tpm(0L).build());
        VirtualKey alice = h.key("k1", "alice", "t1", Limits.NONE);
        VirtualKey off = h.key("k2", "off", null, Limits.builder().maxParallel(0).build());
        GatewayException e = h.refused(h.request(principal(alice), "gpt", 0, 0));
        assertThat(e.getMessage()).startsWith("team 'research' is over its tokens-per-minute limit (0)");
        assertThat(h.refused(h.request(principal(off))).getMessage()).isEqualTo("key 'off' is at its limit of 0 parallel requests");
    }

    @Test
    void aFailedRequestStillCountsAsARequest() {
        VirtualKey alice = h.key("k1", "alice", null, Limits.builder().rpm(5L).tpm(1000L).maxParallel(2).build());
        h.settle(h.admit(principal(alice)), failedWithoutUsage());
        assertThat(h.counter("rl:key:k1:rpm:" + h.minute())).isEqualTo(1);
        assertThat(h.counter("rl:key:k1:tpm:" + h.minute())).isZero();
        assertThat(h.counter("rl:key:k1:parallel")).isZero();
    }

    @Test
    void aSecondSettleOfTheSameAdmissionChangesNothing() {
        VirtualKey alice = h.key("k1", "alice", null, Limits.builder().rpm(5L).tpm(1000L).build());
        Verdict v = h.admit(principal(alice));
        h.settle(v, answered(Usage.of(10, 5)));
        h.settle(v, answered(Usage.of(10, 5)));
        assertThat(h.counter("rl:key:k1:rpm:" + h.minute())).isEqualTo(1);
        assertThat(h.counter("rl:key:k1:tpm:" + h.minute())).isEqualTo(15);
        assertThat(h.store.entries()).hasSize(1);
    }

    @Test
    void aCrashedInstancesHoldsEndWithTheirLease() {
        h.options = new GovernancePolicy.Options(Duration.ofMinutes(15), false, 4096);
        VirtualKey alice = h.key("k1", "alice", null, Limits.builder().maxParallel(1).build());
        assertThat(h.admit(principal(alice)).admitted()).isTrue();
        h.time.advance(Duration.ofMinutes(14));
        assertThat(h.admit(principal(alice)).admitted()).isFalse();
        h.time.advance(Duration.ofMinutes(1));
        assertThat(h.admit(principal(alice)).admitted()).isTrue();
    }

    @Test
    void eachEndUserOfAKeyHasTheEndUserLimitsOfItsOwn() {
        h.options = new GovernancePolicy.Options(Duration.ofMinutes(15), false, 4096, OnStateOutage.DEFAULTS,
                Limits.builder().rpm(2L).build());
        VirtualKey app = h.key("k1", "app", null, Limits.NONE);
        VirtualKey other = h.key("k2", "other-app", null, Limits.NONE);

        assertThat(h.admit(h.requestOf(principal(app), "u1")).admitted()).isTrue();
        assertThat(h.admit(h.requestOf(principal(app), "u1")).admitted()).isTrue();
        GatewayException third = h.admit(h.requestOf(principal(app), "u1")).refusal();

        assertThat(third.status()).isEqualTo(429);
        assertThat(third.getMessage()).isEqualTo("end user 'u1' is over its requests-per-minute limit (2)");
        assertThat(h.admit(h.requestOf(principal(app), "u2")).admitted()).as("another end user").isTrue();
        assertThat(h.admit(h.requestOf(principal(other), "u1")).admitted()).as("the same name under another key").isTrue();
        assertThat(h.admit(principal(app)).admitted()).as("a request without a user field").isTrue();
        assertThat(h.admit(h.requestOf(principal(app), "u1\u0000\n" + "x".repeat(10_000))).admitted())
                .as("any string is a bounded counter id").isTrue();
    }
}
