package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.SpendQuery.GroupBy;
import dev.tollgate.spi.store.SpendQuery.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger over a three-level hierarchy: organisation {@code org}, its teams {@code eng} and
 * {@code sales}, and {@code eng}'s sub-team {@code ml}. Keys: {@code k-ml} in ml, {@code k-eng} in
 * eng, {@code k-sales} in sales. The ledger keeps 15-minute buckets: bounds resolve to them.
 */
class SpendLedgerStoreTest {

    static final Instant DAY1 = Instant.parse("2026-03-01T00:00:00Z");
    static final Instant DAY2 = Instant.parse("2026-03-02T00:00:00Z");
    static final Instant DAY3 = Instant.parse("2026-03-03T00:00:00Z");

    static final Duration QUARTER = Duration.ofMinutes(15);

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
        return SpendEntry.builder().requestId(id).at(at).keyId(key).teamPath(teams).model(model).microUsd(micros).inputTokens(in)
                .outputTokens(out).build();
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
    void spentSinceCountsTheBucketsStartingAtOrAfterTheInstant() {
        assertThat(store.keySpentMicros("k-ml", DAY2)).isEqualTo(1_600);
        assertThat(store.keySpentMicros("k-ml", DAY2.minus(QUARTER))).isEqualTo(800 + 1_600);
        // r4 (a nanosecond before DAY2) is in the bucket starting 15 minutes earlier: left out
        assertThat(store.keySpentMicros("k-ml", DAY2.minusNanos(1))).isEqualTo(1_600);
        assertThat(store.keySpentMicros("k-ml", DAY2.plusNanos(1))).isZero();
        assertThat(store.teamSpentMicros("eng", DAY2)).isEqualTo(1_600 + 3_200);
        assertThat(store.teamSpentMicros("org", DAY3)).isEqualTo(3_200);
        assertThat(store.keySpentMicros("unknown", null)).isZero();
        assertThat(store.keySpentMicros("", null)).as("'' marks rows without a key, it is no key").isZero();
        assertThat(store.teamSpentMicros("", null)).isZero();
    }

    @Test
    void groupByKey() {
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, null, null))).containsExactly(
                row("k-eng", 3_400, 2, 0, 660, 66),
                row("k-ml", 2_500, 3, 0, 250, 25),
                row("k-sales", 400, 2, 1, 360, 36));
    }

    @Test
    void groupByTeamSumsSubTeams() {
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, null, null))).containsExactly(
                row("eng", 5_900, 5, 0, 910, 91),
                row("ml", 2_500, 3, 0, 250, 25),
                row("org", 6_300, 7, 1, 1_270, 127),
                row("sales", 400, 2, 1, 360, 36));
    }

    @Test
    void groupByModel() {
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, null, null))).containsExactly(
                row("claude", 1_200, 2, 0, 120, 12),
                row("gpt-4o", 5_100, 5, 1, 1_150, 115));
    }

    @Test
    void groupByUtcDay() {
        assertThat(store.spend(new SpendQuery(GroupBy.DAY, null, null))).containsExactly(
                row("2026-03-01", 1_500, 4, 0, 150, 15),
                row("2026-03-02", 1_600, 2, 1, 480, 48),
                row("2026-03-03", 3_200, 1, 0, 640, 64));
    }

    @Test
    void fromIsInclusiveAndToExclusiveAtBucketResolutionForEveryGrouping() {
        SpendQuery day2 = new SpendQuery(GroupBy.DAY, DAY2, DAY3);
        assertThat(store.spend(day2)).containsExactly(row("2026-03-02", 1_600, 2, 1, 480, 48));

        assertThat(store.spend(new SpendQuery(GroupBy.KEY, DAY2, DAY3))).containsExactly(
                row("k-ml", 1_600, 1, 0, 160, 16),
                row("k-sales", 0, 1, 1, 320, 32));
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, DAY2, DAY3))).containsExactly(
                row("eng", 1_600, 1, 0, 160, 16),
                row("ml", 1_600, 1, 0, 160, 16),
                row("org", 1_600, 2, 1, 480, 48),
                row("sales", 0, 1, 1, 320, 32));
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, DAY2.minus(QUARTER), DAY2))).containsExactly(
                row("claude", 800, 1, 0, 80, 8));
        // a bound inside a bucket moves to the next bucket start: DAY1 + 20 s includes DAY1's first bucket
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, null, DAY1.plusSeconds(20)))).containsExactly(
                row("claude", 400, 1, 0, 40, 4),
                row("gpt-4o", 300, 2, 0, 30, 3));
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, DAY3.plusSeconds(1), null))).isEmpty();
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, DAY3, null))).containsExactly(
                row("eng", 3_200, 1, 0, 640, 64),
                row("org", 3_200, 1, 0, 640, 64));
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, DAY3, DAY3))).isEmpty();
    }

    @Test
    void entriesAQuarterHourApartLandInDifferentBuckets() {
        Instant midnight = Instant.parse("2026-04-01T00:00:00Z");
        store.recordSpend(List.of(entry("b1", midnight.plusSeconds(14 * 60 + 59), "k-b", List.of("tb"), "m", 3L, 1, 1),
                entry("b2", midnight.plus(QUARTER), "k-b", List.of("tb"), "m", 5L, 1, 1)));

        assertThat(store.keySpentMicros("k-b", midnight)).isEqualTo(8);
        assertThat(store.keySpentMicros("k-b", midnight.plus(QUARTER))).isEqualTo(5);
        assertThat(store.teamSpentMicros("tb", midnight.plus(QUARTER))).isEqualTo(5);
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, midnight, midnight.plus(QUARTER))))
                .containsExactly(row("k-b", 3, 1, 0, 1, 1));
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, midnight.plus(QUARTER), null)))
                .containsExactly(row("k-b", 5, 1, 0, 1, 1));
    }

    @Test
    void aMidnightAtPlusFiveFortyFiveStartsABucket() {
        Instant kathmandu = LocalDate.parse("2026-04-02").atStartOfDay(ZoneId.of("Asia/Kathmandu")).toInstant();
        assertThat(kathmandu).isEqualTo(Instant.parse("2026-04-01T18:15:00Z"));
        store.recordSpend(List.of(entry("n1", kathmandu.minusSeconds(1), "k-n", List.of("tn"), "m", 7L, 1, 1),
                entry("n2", kathmandu, "k-n", List.of("tn"), "m", 11L, 1, 1)));

        assertThat(store.keySpentMicros("k-n", kathmandu)).isEqualTo(11);
        assertThat(store.teamSpentMicros("tn", kathmandu)).isEqualTo(11);
        assertThat(store.keySpentMicros("k-n", kathmandu.minus(QUARTER))).isEqualTo(18);
    }

    @Test
    void everyZonesMidnightsIn2026AreBucketStarts() {
        for (String zone : ZoneId.getAvailableZoneIds()) {
            for (LocalDate day = LocalDate.parse("2026-01-01"); day.getYear() == 2026; day = day.plusDays(1)) {
                Instant start = day.atStartOfDay(ZoneId.of(zone)).toInstant();
                assertThat(EmbeddedGovernanceStore.bucketStart(start)).as("%s midnight of %s", zone, day)
                        .isEqualTo(start.getEpochSecond());
            }
        }
    }

    @Test
    void theSameEntryRecordedTwiceCountsTwice() {
        SpendEntry again = entry("r8", DAY3, "k-ml", ML, "gpt-4o", 5L, 1, 1);
        store.recordSpend(List.of(again, again));
        store.recordSpend(List.of(again));

        assertThat(store.keySpentMicros("k-ml", null)).isEqualTo(100 + 800 + 1_600 + 3 * 5);
        assertThat(store.teamSpentMicros("org", null)).isEqualTo(6_300 + 3 * 5);
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, DAY3, null)))
                .containsExactly(row("k-eng", 3_200, 1, 0, 640, 64), row("k-ml", 15, 3, 0, 3, 3));
    }

    @Test
    void aLargeBatchSumsExactlyAsEntryByEntry() {
        Instant t0 = Instant.parse("2026-05-01T00:00:00Z");
        List<SpendEntry> batch = new ArrayList<>();
        Map<String, Long> byKey = new TreeMap<>();
        Map<String, Long> byTeam = new TreeMap<>();
        Map<String, Long> requestsByModel = new TreeMap<>();
        for (int i = 0; i < 3_000; i++) {
            String key = "key-" + (i * 31) % 97;
            String team = "team-" + (i * 31) % 97 % 7;
            String model = i % 3 == 0 ? "a" : "b";
            long micros = 1 + i % 13;
            batch.add(entry("big-" + i, t0.plusSeconds(i * 11L), key, List.of(team, "root"), model, micros, 2, 3));
            byKey.merge(key, micros, Long::sum);
            byTeam.merge(team, micros, Long::sum);
            byTeam.merge("root", micros, Long::sum);
            requestsByModel.merge(model, 1L, Long::sum);
        }
        try (EmbeddedGovernanceStore fresh = EmbeddedGovernanceStore.open(dir.resolve("big"))) {
            fresh.recordSpend(batch.subList(0, 1_000));
            fresh.recordSpend(batch.subList(1_000, batch.size()));

            assertThat(fresh.spend(new SpendQuery(GroupBy.KEY, null, null)))
                    .extracting(Row::group, Row::microUsd).containsExactlyElementsOf(pairs(byKey));
            assertThat(fresh.spend(new SpendQuery(GroupBy.TEAM, null, null)))
                    .extracting(Row::group, Row::microUsd).containsExactlyElementsOf(pairs(byTeam));
            assertThat(fresh.spend(new SpendQuery(GroupBy.MODEL, null, null)))
                    .extracting(Row::group, Row::requests).containsExactlyElementsOf(pairs(requestsByModel));
            byKey.forEach((key, micros) -> assertThat(fresh.keySpentMicros(key, t0)).as(key).isEqualTo(micros));
            byTeam.forEach((team, micros) -> assertThat(fresh.teamSpentMicros(team, null)).as(team).isEqualTo(micros));
            long days = fresh.spend(new SpendQuery(GroupBy.DAY, null, null)).stream().mapToLong(Row::requests).sum();
            assertThat(days).isEqualTo(batch.size());
        }
    }

    private static List<Tuple> pairs(Map<String, Long> sums) {
        return sums.entrySet().stream().map(e -> tuple(e.getKey(), e.getValue())).toList();
    }

    @Test
    void unknownCostIsCountedButNotSummed() {
        store.recordSpend(List.of(entry("u1", DAY3, "k-new", List.of("new"), "m", null, 5, 6),
                entry("u2", DAY3, "k-new", List.of("new"), "m", null, 7, 8)));

        assertThat(store.keySpentMicros("k-new", null)).isZero();
        assertThat(store.teamSpentMicros("new", null)).isZero();
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, DAY3, null))).contains(row("new", 0, 2, 2, 12, 14));
        assertThat(store.spend(new SpendQuery(GroupBy.KEY, null, null))).contains(row("k-new", 0, 2, 2, 12, 14));
    }

    @Test
    void entriesWithoutKeyOrTeamStayOutOfThoseGroupsOnly() {
        store.recordSpend(List.of(entry("n1", DAY3, null, List.of(), "lonely", 9L, 1, 1)));

        assertThat(store.spend(new SpendQuery(GroupBy.KEY, null, null))).extracting(Row::group)
                .containsExactly("k-eng", "k-ml", "k-sales");
        assertThat(store.spend(new SpendQuery(GroupBy.TEAM, null, null))).extracting(Row::group)
                .containsExactly("eng", "ml", "org", "sales");
        assertThat(store.spend(new SpendQuery(GroupBy.MODEL, null, null))).contains(row("lonely", 9, 1, 0, 1, 1));
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

    private static Row row(String group, long microUsd, long requests, long unpriced, long in, long out) {
        return Row.builder(group).microUsd(microUsd).requests(requests).unpricedRequests(unpriced).inputTokens(in).outputTokens(out)
                .build();
    }
}
