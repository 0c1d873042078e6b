package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.governance.SpendEntry;
import dev.tollgate.kernel.governance.SpendQuery;
import dev.tollgate.kernel.governance.SpendQuery.GroupBy;
import dev.tollgate.kernel.governance.SpendQuery.Row;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger over a three-level hierarchy: organisation {@code org}, its teams {@code eng} and
 * {@code sales}, and {@code eng}'s sub-team {@code ml}. Keys: {@code k-ml} in ml, {@code k-eng} in
 * eng, {@code k-sales} in sales.
 */
class SpendLedgerStoreTest {

    static final Instant DAY1 = Instant.parse("2026-03-01T00:00:00Z");
    static final Instant DAY2 = Instant.parse("2026-03-02T00:00:00Z");
    static final Instant DAY3 = Instant.parse("2026-03-03T00:00:00Z");

    static final List<String> ML = List.of("ml", "eng", "org");
    static final List<String> ENG = List.of("eng", "org");
    static final List<String> SALES = List.of("sales", "org");

    @TempDir
    Path dir;

    EmbeddedGovernanceStore store;

    @BeforeEach
    void open() {
        store = EmbeddedGovernanceStore.open(dir);
        store.recordSpend(List.of(
                entry("r1", DAY1.plusSeconds(10), "k-ml", ML, "gpt-4o", 100L, 10, 1),
                entry("r2", DAY1.plusSeconds(20), "k-eng", ENG, "gpt-4o", 200L, 20, 2),
                entry("r3", DAY1.plusSeconds(30), "k-sales", SALES, "claude", 400L, 40, 4),
                entry("r4", DAY2.minusNanos(1), "k-ml", ML, "claude", 800L, 80, 8),
                entry("r5", DAY2, "k-ml", ML, "gpt-4o", 1_600L, 160, 16),
                entry("r6", DAY2.plusSeconds(5), "k-sales", SALES, "gpt-4o", null, 320, 32),
                entry("r7", DAY3.plusSeconds(1), "k-eng", ENG, "gpt-4o", 3_200L, 640, 64)));
    }

    @AfterEach
    void close() {
        store.close();
    }

    static SpendEntry entry(String id, Instant at, String key, List<String> teams, String model, Long micros,
            long in, long out) {
        return new SpendEntry(id, at, key, teams, model, micros, in, out);
    }

    @Test
    void teamSpendIncludesEverySubTeamLevel() {
        assertThat(store.teamSpentMicros("ml", null)).isEqualTo(100 + 800 + 1_600);
        assertThat(store.teamSpentMicros("eng", null)).isEqualTo(100 + 200 + 800 + 1_600 + 3_200);
        assertThat(store.teamSpentMicros("sales", null)).isEqualTo(400);
        assertThat(store.teamSpentMicros("org", null)).isEqualTo(100 + 200 + 400 + 800 + 1_600 + 3_200);
        assertThat(store.teamSpentMicros("nobody", null)).isZero();
    }

    @Test
    void spentSinceCountsFromTheInstantInclusive() {
        assertThat(store.keySpentMicros("k-ml", DAY2)).isEqualTo(1_600);
        assertThat(store.keySpentMicros("k-ml", DAY2.minusNanos(1))).isEqualTo(800 + 1_600);
        assertThat(store.keySpentMicros("k-ml", DAY2.plusNanos(1))).isZero();
        assertThat(store.teamSpentMicros("eng", DAY2)).isEqualTo(1_600 + 3_200);
        assertThat(store.teamSpentMicros("org", DAY3)).isEqualTo(3_200);
        assertThat(store.keySpentMicros("unknown", null)).isZero();
    }

    @Test
    void groupByKey() {
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, null, null))).containsExactly(
                new Row("k-eng", 3_400, 2, 0, 660, 66),
                new Row("k-ml", 2_500, 3, 0, 250, 25),
                new Row("k-sales", 400, 2, 1, 360, 36));
    }

    @Test
    void groupByTeamSumsSubTeams() {
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, null, null))).containsExactly(
                new Row("eng", 5_900, 5, 0, 910, 91),
                new Row("ml", 2_500, 3, 0, 250, 25),
                new Row("org", 6_300, 7, 1, 1_270, 127),
                new Row("sales", 400, 2, 1, 360, 36));
    }

    @Test
    void groupByModel() {
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, null, null))).containsExactly(
                new Row("claude", 1_200, 2, 0, 120, 12),
                new Row("gpt-4o", 5_100, 5, 1, 1_150, 115));
    }

    @Test
    void groupByUtcDay() {
        assertThat(store.spend(new SpendQuery(GroupBy.DAY, null, null))).containsExactly(
                new Row("2026-03-01", 1_500, 4, 0, 150, 15),
                new Row("2026-03-02", 1_600, 2, 1, 480, 48),
                new Row("2026-03-03", 3_200, 1, 0, 640, 64));
    }

    @Test
    void fromIsInclusiveAndToExclusiveForEveryGrouping() {
        SpendQuery day2 = new SpendQuery(GroupBy.DAY, DAY2, DAY3);
        assertThat(store.spend(day2)).containsExactly(new Row("2026-03-02", 1_600, 2, 1, 480, 48));

        assertThat(store.spend(new SpendQuery(GroupBy.KEY, DAY2, DAY3))).containsExactly(
                new Row("k-ml", 1_600, 1, 0, 160, 16),
                new Row("k-sales", 0, 1, 1, 320, 32));
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, DAY2, DAY3))).containsExactly(
                new Row("eng", 1_600, 1, 0, 160, 16),
                new Row("ml", 1_600, 1, 0, 160, 16),
                new Row("org", 1_600, 2, 1, 480, 48),
                new Row("sales", 0, 1, 1, 320, 32));
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, DAY2.minusNanos(1), DAY2))).containsExactly(
                new Row("claude", 800, 1, 0, 80, 8));
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, null, DAY1.plusSeconds(20)))).containsExactly(
                new Row("gpt-4o", 100, 1, 0, 10, 1));
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, DAY3.plusSeconds(1), null))).containsExactly(
                new Row("eng", 3_200, 1, 0, 640, 64),
                new Row("org", 3_200, 1, 0, 640, 64));
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, DAY3, DAY3))).isEmpty();
    }

    @Test
    void recordingIsIdempotentByRequestId() {
        store.recordSpend(List.of(
                entry("r1", DAY3, "k-ml", ML, "gpt-4o", 999_999L, 1, 1),
                entry("r8", DAY3, "k-ml", ML, "gpt-4o", 5L, 1, 1),
                entry("r8", DAY3, "k-ml", ML, "gpt-4o", 7L, 1, 1)));
        store.recordSpend(List.of(entry("r8", DAY3, "k-ml", ML, "gpt-4o", 11L, 1, 1)));

        assertThat(store.keySpentMicros("k-ml", null)).isEqualTo(100 + 800 + 1_600 + 5);
        assertThat(store.teamSpentMicros("org", null)).isEqualTo(6_300 + 5);
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, DAY3, null)))
                .containsExactly(new Row("k-eng", 3_200, 1, 0, 640, 64), new Row("k-ml", 5, 1, 0, 1, 1));
    }

    @Test
    void unknownCostIsCountedButNotSummed() {
        store.recordSpend(List.of(entry("u1", DAY3, "k-new", List.of("new"), "m", null, 5, 6),
                entry("u2", DAY3, "k-new", List.of("new"), "m", null, 7, 8)));

        assertThat(store.keySpentMicros("k-new", null)).isZero();
        assertThat(store.teamSpentMicros("new", null)).isZero();
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, DAY3, null))).contains(new Row("new", 0, 2, 2, 12, 14));
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, null, null))).contains(new Row("k-new", 0, 2, 2, 12, 14));
    }

    @Test
    void entriesWithoutKeyOrTeamStayOutOfThoseGroupsOnly() {
        store.recordSpend(List.of(entry("n1", DAY3, null, List.of(), "lonely", 9L, 1, 1)));

        assertThat(store.spend(new SpendQuery(GroupBy.KEY, null, null))).extracting(Row::group)
                .containsExactly("k-eng", "k-ml", "k-sales");
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, null, null))).extracting(Row::group)
                .containsExactly("eng", "ml", "org", "sales");
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, null, null))).contains(new Row("lonely", 9, 1, 0, 1, 1));
    }

    @Test
    void aBatchWithABadEntryIsRefusedWhole() {
        List<SpendEntry> batch = List.of(entry("ok", DAY3, "k-x", List.of(), "m", 1L, 1, 1),
                entry("bad", DAY3, "k-x", List.of(), "m", -1L, 1, 1));

        assertThatThrownBy(() -> store.recordSpend(batch))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative cost -1 for request bad");
        assertThatThrownBy(() -> store.recordSpend(List.of(
                entry("far", Instant.parse("2300-01-01T00:00:00Z"), "k-x", List.of(), "m", 1L, 1, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("range");
        assertThat(store.keySpentMicros("k-x", null)).isZero();
        store.recordSpend(List.of());
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, null, null))).hasSize(3);
    }
}
