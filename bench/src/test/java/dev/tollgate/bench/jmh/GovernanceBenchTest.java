package dev.tollgate.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.state.InProcessStateBackend;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.Principal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The governance benchmarks take the path they claim: a real key found, every limit held and settled, the ledger written. */
class GovernanceBenchTest {

    private final GovernanceBench b = new GovernanceBench();

    @BeforeEach
    void setUp() {
        b.setup();
    }

    @AfterEach
    void tearDown() throws Exception {
        b.tearDown();
    }

    @Test
    void authenticateFindsEachSlotsKeyWithItsTeamPath() {
        for (int i = 0; i < GovernanceBench.SLOTS + 1; i++) {
            Principal p = b.authenticate().principal().orElseThrow();
            int slot = i % GovernanceBench.SLOTS;
            int key = slot * (GovernanceBench.KEYS / GovernanceBench.SLOTS);
            assertThat(p.keyId()).contains("key_" + key);
            int team = key % (GovernanceBench.TEAMS - GovernanceBench.ORGANISATIONS);
            assertThat(p.teamPath()).containsExactly("org-" + team % GovernanceBench.ORGANISATIONS, "team-" + team);
            assertThat(p.attributes()).containsEntry("owner", "user-" + key);
        }
    }

    @Test
    void limitsAndBudgetHoldsAndSettlesEveryLevel() {
        int requests = 2 * GovernanceBench.SLOTS;
        for (int i = 0; i < requests; i++) {
            Admission a = b.limitsAndBudget();
            assertThat(a.responseHeaders().first("x-ratelimit-limit-requests")).contains(Long.toString(GovernanceBench.HIGH));
            assertThat(a.responseHeaders().first("x-ratelimit-limit-tokens")).contains(Long.toString(GovernanceBench.HIGH));
        }
        long cost = GovernanceBench.PRICES.costMicros(GovernanceBench.USAGE);
        assertThat(cost).isPositive();
        // slot 0 (key_0 in team-0) was used twice, like every slot
        assertThat(counter(b.state, "key", "key_0")).isEqualTo(2 * cost);
        assertThat(counter(b.state, "team", "team-0")).isEqualTo(2 * cost * slotsOfTeam(0));
        assertThat(b.state.get("rl:key:key_0:parallel").toCompletableFuture().join()).isZero();
        assertThat(b.noLedger.recorded.sum()).isEqualTo(requests);
    }

    @Test
    void embeddedLedgerRecordsEveryRequest() {
        int requests = GovernanceBench.SLOTS + 3 * GovernanceBench.LEDGER_WINDOW;
        for (int i = 0; i < requests; i++) {
            assertThat(b.limitsAndBudgetWithEmbeddedLedger().responseHeaders().first("x-ratelimit-limit-requests")).isPresent();
        }
        b.awaitLedger();
        long cost = GovernanceBench.PRICES.costMicros(GovernanceBench.USAGE);
        assertThat(b.ledger.keySpentMicros("key_0", Instant.EPOCH)).isEqualTo(2 * cost);
        assertThat(b.ledger.teamSpentMicros("org-0", Instant.EPOCH)).isEqualTo(cost * requestsOfOrganisation0(requests));
        assertThat(counter(b.ledgerState, "key", "key_0")).isEqualTo(2 * cost);
    }

    @Test
    void ledgerHandOffDeliversEveryEntry() {
        int requests = 3 * GovernanceBench.LEDGER_WINDOW + 5;
        for (int i = 0; i < requests; i++) {
            assertThat(b.limitsAndBudgetLedgerHandOff().responseHeaders().first("x-ratelimit-limit-requests")).isPresent();
        }
        b.awaitLedger();
        assertThat(b.handedOffLedger.recorded.sum()).isEqualTo(requests);
    }

    @Test
    void ledgerWriteAddsOneEntryPerCall() {
        for (int i = 0; i < 30; i++) { // keys key_0..key_29, organisations org-0..org-9 three times each
            b.ledgerWrite();
        }
        assertThat(b.ledger.keySpentMicros("key_0", Instant.EPOCH)).isEqualTo(14);
        assertThat(b.ledger.teamSpentMicros("org-0", Instant.EPOCH)).isEqualTo(3 * 14);
    }

    /** The budget counter of a level for this month, as the policy names it. */
    private static long counter(InProcessStateBackend state, String kind, String id) {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        long monthStart = ZonedDateTime.now(berlin).withDayOfMonth(1).toLocalDate().atStartOfDay(berlin).toEpochSecond();
        return state.get("budget:" + kind + ":" + id + ":monthly:" + monthStart).toCompletableFuture().join();
    }

    /** Slots whose key is in {@code team-<t>}. */
    private static int slotsOfTeam(int t) {
        int n = 0;
        for (int s = 0; s < GovernanceBench.SLOTS; s++) {
            if (s * (GovernanceBench.KEYS / GovernanceBench.SLOTS) % (GovernanceBench.TEAMS - GovernanceBench.ORGANISATIONS) == t) {
                n++;
            }
        }
        return n;
    }

    /** Of the first {@code requests} requests, those whose key is under {@code org-0}. */
    private static long requestsOfOrganisation0(int requests) {
        long n = 0;
        for (int i = 0; i < requests; i++) {
            int key = (i % GovernanceBench.SLOTS) * (GovernanceBench.KEYS / GovernanceBench.SLOTS);
            if (key % (GovernanceBench.TEAMS - GovernanceBench.ORGANISATIONS) % GovernanceBench.ORGANISATIONS == 0) {
                n++;
            }
        }
        return n;
    }
}
