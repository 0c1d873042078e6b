package dev.tollgate.spi.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.SpendQuery.GroupBy;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link GovernanceStore} contract as JUnit 5 tests. A store's test extends this class and
 * implements {@link #newStore()}; every test gets a fresh, empty store and closes it after.
 *
 * <pre>{@code
 * class PostgresGovernanceStoreTest extends GovernanceStoreContract {
 *     protected GovernanceStore newStore() { return ...; }
 * }
 * }</pre>
 *
 * Instants are compared at microsecond precision, the least a store must keep.
 */
public abstract class GovernanceStoreContract {

    /** A microsecond instant: the precision every store keeps. */
    protected static final Instant CREATED = Instant.parse("2026-03-01T10:15:30.123456Z");

    /** The store under test. */
    protected GovernanceStore store;

    /** A new, empty store; called before every test. */
    protected abstract GovernanceStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- fixtures

    protected static Team fullTeam(String id, String parentId) {
        return Team.builder().id(id).name("Team " + id).parentId(parentId)
                .limits(Limits.builder().rpm(600L).tpm(100_000L).maxParallel(8).budget(new Budget(25_000_000L, Period.MONTHLY)).build())
                .metadata(Map.of("cost-centre", "42", "owner", "ops@example.org")).createdAt(CREATED).build();
    }

    protected static Team bareTeam(String id) {
        return Team.builder().id(id).name("bare " + id).createdAt(CREATED).build();
    }

    protected static VirtualKey fullKey(String id, String teamId) {
        return VirtualKey.builder().id(id).name("Key " + id).teamId(teamId).prefix("tg-abcd").hash("hash-" + id)
                .allowedModels(Set.of("gpt-4o", "claude-sonnet")).expiresAt(Instant.parse("2027-01-01T00:00:00Z"))
                .metadata(Map.of("env", "prod")).enabled(false).revokedAt(Instant.parse("2026-06-01T08:00:00.5Z"))
                .limits(Limits.builder().rpm(60L).maxParallel(2).budget(new Budget(1_000_000L, Period.DAILY)).build())
                .createdAt(CREATED).build();
    }

    protected static VirtualKey bareKey(String id) {
        return VirtualKey.builder().id(id).name("bare").prefix("tg-zzzz").hash("hash-" + id).createdAt(CREATED).build();
    }

    protected static SpendEntry spend(String requestId, Instant at, String keyId, List<String> teams, String model, Long micros) {
        return SpendEntry.builder().requestId(requestId).at(at).keyId(keyId).teamPath(teams).model(model).microUsd(micros)
                .inputTokens(10).outputTokens(1).build();
    }

    private static SpendQuery.Row row(String group, long micros, long requests, long unpriced, long in, long out) {
        return SpendQuery.Row.builder(group).microUsd(micros).requests(requests).unpricedRequests(unpriced).inputTokens(in)
                .outputTokens(out).build();
    }

    private List<SpendQuery.Row> spendBy(GroupBy by) {
        return store.spend(new SpendQuery(by, null, null));
    }

    // ---- teams and keys

    @Test
    void teamsRoundTripWithEveryFieldAndWithoutOptionalOnes() {
        Team org = fullTeam("org", null);
        Team sub = bareTeam("sub").toBuilder().parentId("org").build();
        Team partial = bareTeam("partial").toBuilder().limits(Limits.builder().tpm(5L).budget(new Budget(0, Period.NONE)).build()).build();
        store.createTeam(org);
        store.createTeam(sub);
        store.createTeam(partial);

        assertEquals(Optional.of(org), store.team("org"));
        assertEquals(Optional.of(sub), store.team("sub"));
        assertEquals(Optional.of(partial), store.team("partial"));
        assertEquals(List.of(org, partial, sub), store.teams(), "teams ordered by id");
    }

    @Test
    void keysRoundTripWithEveryFieldAndWithoutOptionalOnes() {
        store.createTeam(bareTeam("t"));
        VirtualKey full = fullKey("k-full", "t");
        VirtualKey bare = bareKey("k-bare");
        store.createKey(full);
        store.createKey(bare);

        assertEquals(Optional.of(full), store.key("k-full"));
        assertEquals(Optional.of(bare), store.key("k-bare"));
        assertTrue(store.key("k-bare").orElseThrow().enabled());
        assertEquals(List.of(bare, full), store.keys(), "keys ordered by id");
    }

    @Test
    void keyByHashFindsTheKeyWithThatHashOnly() {
        store.createKey(bareKey("a"));
        store.createKey(bareKey("b"));

        assertEquals("b", store.keyByHash("hash-b").orElseThrow().id());
        assertEquals(Optional.empty(), store.keyByHash("hash-c"));
        assertEquals(Optional.empty(), store.keyByHash("HASH-B"));
    }

    @Test
    void duplicateIdsAndHashesAreRefusedAndLeaveTheFirstInPlace() {
        Team first = fullTeam("t", null);
        store.createTeam(first);
        assertThrows(IllegalArgumentException.class, () -> store.createTeam(bareTeam("t")));
        assertEquals(Optional.of(first), store.team("t"));

        VirtualKey key = fullKey("k", null);
        store.createKey(key);
        assertThrows(IllegalArgumentException.class, () -> store.createKey(bareKey("k")));
        VirtualKey sameHash = bareKey("k2").toBuilder().hash("hash-k").build();
        assertThrows(IllegalArgumentException.class, () -> store.createKey(sameHash));
        assertEquals(Optional.of(key), store.key("k"));
        assertEquals(Optional.empty(), store.key("k2"));
        assertEquals(1, store.keys().size());
    }

    @Test
    void updatesReplaceTheRecordKeepTheKeysHashAndReportUnknownIds() {
        store.createTeam(fullTeam("t", null));
        store.createTeam(bareTeam("parent"));
        Team renamed = bareTeam("t").toBuilder().name("Renamed").parentId("parent").metadata(Map.of("a", "b")).build();
        assertTrue(store.updateTeam(renamed));
        assertEquals(Optional.of(renamed), store.team("t"));
        assertFalse(store.updateTeam(bareTeam("nobody")));
        assertEquals(Optional.empty(), store.team("nobody"));

        store.createKey(bareKey("k"));
        VirtualKey revoked = fullKey("k", "t").toBuilder().prefix("other-prefix").hash("other-hash").build();
        assertTrue(store.updateKey(revoked));
        VirtualKey stored = store.key("k").orElseThrow();
        assertEquals(revoked.toBuilder().prefix("tg-zzzz").hash("hash-k").build(), stored, "hash and prefix never change");
        assertEquals(Optional.of(stored), store.keyByHash("hash-k"));
        assertEquals(Optional.empty(), store.keyByHash("other-hash"));
        assertFalse(store.updateKey(bareKey("nobody")));
        assertEquals(Optional.empty(), store.key("nobody"));
    }

    @Test
    void deleteTeamRemovesItOnce() {
        store.createTeam(bareTeam("t"));
        store.createTeam(bareTeam("u"));

        assertTrue(store.deleteTeam("t"));
        assertFalse(store.deleteTeam("t"));
        assertFalse(store.deleteTeam("nobody"));
        assertEquals(Optional.empty(), store.team("t"));
        assertEquals(List.of("u"), store.teams().stream().map(Team::id).toList());
    }

    @Test
    void unknownIdsAreEmptyOrFalseOrZeroNeverErrors() {
        assertEquals(Optional.empty(), store.team("none"));
        assertEquals(Optional.empty(), store.key("none"));
        assertEquals(Optional.empty(), store.keyByHash("none"));
        assertEquals(List.of(), store.teams());
        assertEquals(List.of(), store.keys());
        assertFalse(store.deleteTeam("none"));
        assertEquals(0, store.keySpentMicros("none", null));
        assertEquals(0, store.teamSpentMicros("none", CREATED));
        for (GroupBy by : GroupBy.values()) {
            assertEquals(List.of(), spendBy(by), by.name());
        }
        store.recordSpend(List.of());
        assertEquals(List.of(), spendBy(GroupBy.KEY));
    }

    // ---- spend

    @Test
    void manyEntriesOfOneCallAreSummedPerKeyTeamAndModel() {
        List<SpendEntry> entries = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String key = "k" + (i % 3);
            List<String> teams = i % 3 == 2 ? List.of() : List.of("team" + (i % 3), "org");
            String model = i % 2 == 0 ? "gpt" : "claude";
            entries.add(spend("r" + i, CREATED.plusSeconds(i * 7L), key, teams, model, i % 10 == 0 ? null : (long) i));
        }
        store.recordSpend(entries);

        long[] priced = new long[3];
        long[] unpriced = new long[3];
        long total = 0;
        for (int i = 0; i < 600; i++) {
            if (i % 10 == 0) {
                unpriced[i % 3]++;
            } else {
                priced[i % 3] += i;
                total += i;
            }
        }
        assertEquals(List.of(row("k0", priced[0], 200, unpriced[0], 2000, 200), row("k1", priced[1], 200, unpriced[1], 2000, 200),
                row("k2", priced[2], 200, unpriced[2], 2000, 200)), spendBy(GroupBy.KEY));
        assertEquals(List.of(row("org", priced[0] + priced[1], 400, unpriced[0] + unpriced[1], 4000, 400),
                row("team0", priced[0], 200, unpriced[0], 2000, 200), row("team1", priced[1], 200, unpriced[1], 2000, 200)),
                spendBy(GroupBy.TEAM));
        List<SpendQuery.Row> byModel = spendBy(GroupBy.MODEL);
        assertEquals(List.of("claude", "gpt"), byModel.stream().map(SpendQuery.Row::group).toList());
        assertEquals(total, byModel.stream().mapToLong(SpendQuery.Row::microUsd).sum());
        assertEquals(600, byModel.stream().mapToLong(SpendQuery.Row::requests).sum());
        assertEquals(priced[0], store.keySpentMicros("k0", null));
        assertEquals(priced[0] + priced[1], store.teamSpentMicros("org", null));
    }

    @Test
    void aTeamsSpendIncludesItsSubTeamsAndAKeysOnlyItsOwn() {
        store.recordSpend(List.of(
                spend("r1", CREATED, "k-eng", List.of("eng", "org"), "m", 300L),
                spend("r2", CREATED, "k-ml", List.of("ml", "eng", "org"), "m", 50L),
                spend("r3", CREATED, "k-sales", List.of("sales", "org"), "m", 7L),
                spend("r4", CREATED, null, List.of(), "m", 1_000L)));

        assertEquals(357, store.teamSpentMicros("org", null));
        assertEquals(350, store.teamSpentMicros("eng", null));
        assertEquals(50, store.teamSpentMicros("ml", null));
        assertEquals(300, store.keySpentMicros("k-eng", null));
        assertEquals(List.of("k-eng", "k-ml", "k-sales"), spendBy(GroupBy.KEY).stream().map(SpendQuery.Row::group).toList(),
                "an entry without a key is in no key's row");
        assertEquals(1_357, spendBy(GroupBy.MODEL).get(0).microUsd(), "but it is in its model's");
    }

    @Test
    void aCallWithAnInvalidEntryRecordsNothing() {
        List<SpendEntry> batch = List.of(spend("ok", CREATED, "k", List.of("t"), "m", 5L),
                spend("bad", CREATED, "k", List.of("t"), "m", -1L));
        assertThrows(IllegalArgumentException.class, () -> store.recordSpend(batch));
        SpendEntry negativeTokens = spend("bad2", CREATED, "k", List.of(), "m", 1L).toBuilder().inputTokens(-5).build();
        assertThrows(IllegalArgumentException.class, () -> store.recordSpend(List.of(negativeTokens)));
        assertThrows(IllegalArgumentException.class,
                () -> store.recordSpend(List.of(spend("bad3", CREATED, "k", List.of(""), "m", 1L))));

        assertEquals(0, store.keySpentMicros("k", null));
        assertEquals(List.of(), spendBy(GroupBy.MODEL));
    }

    /**
     * Budget periods start at a local midnight, Monday or first of the month; in zones whose offset
     * is not a whole hour too. Spend just before the start is out, spend at the start is in.
     */
    @Test
    void periodSumsAreExactAtMidnightMondayAndFirstOfTheMonthInAnyZone() {
        List<ZoneId> zones = List.of(ZoneId.of("UTC"), ZoneId.of("Asia/Kolkata"), ZoneId.of("Asia/Kathmandu"),
                ZoneId.of("America/St_Johns"), ZoneId.of("Pacific/Chatham"));
        LocalDate day = LocalDate.of(2026, 3, 18); // a Wednesday
        int n = 0;
        for (ZoneId zone : zones) {
            List<Instant> starts = List.of(
                    day.atStartOfDay(zone).toInstant(),
                    day.with(DayOfWeek.MONDAY).atStartOfDay(zone).toInstant(),
                    day.withDayOfMonth(1).atStartOfDay(zone).toInstant());
            for (Instant start : starts) {
                String key = "k" + n++;
                store.recordSpend(List.of(
                        spend(key + "-before", start.minusSeconds(1), key, List.of("t-" + key), "m", 1_000L),
                        spend(key + "-long-before", start.minusSeconds(20 * 60), key, List.of("t-" + key), "m", 10_000L),
                        spend(key + "-at", start, key, List.of("t-" + key), "m", 1L),
                        spend(key + "-after", start.plusSeconds(14 * 60 + 59), key, List.of("t-" + key), "m", 20L),
                        spend(key + "-later", start.plusSeconds(3 * 3600), key, List.of("t-" + key), "m", 300L)));
                assertEquals(321, store.keySpentMicros(key, start), zone + " from " + start);
                assertEquals(321, store.teamSpentMicros("t-" + key, start), zone + " from " + start);
                assertEquals(11_321, store.keySpentMicros(key, null));
                ZonedDateTime local = start.atZone(zone);
                assertEquals(0, local.getHour() + local.getMinute(), "a local midnight");
            }
        }
    }

    @Test
    void spendByDayGroupsByUtcDayWithinTheBounds() {
        Instant d1 = Instant.parse("2026-03-01T23:00:00Z");
        Instant d2 = Instant.parse("2026-03-02T00:00:00Z");
        Instant d3 = Instant.parse("2026-03-03T12:00:00Z");
        store.recordSpend(List.of(spend("a", d1, "k", List.of(), "m", 1L), spend("b", d2, "k", List.of(), "m", 20L),
                spend("c", d2.plusSeconds(3600), "k", List.of(), "m", null), spend("d", d3, "k", List.of(), "m", 300L)));

        assertEquals(List.of(row("2026-03-01", 1, 1, 0, 10, 1), row("2026-03-02", 20, 2, 1, 20, 2), row("2026-03-03", 300, 1, 0, 10, 1)),
                spendBy(GroupBy.DAY));
        assertEquals(List.of(row("2026-03-02", 20, 2, 1, 20, 2)),
                store.spend(new SpendQuery(GroupBy.DAY, d2, Instant.parse("2026-03-03T00:00:00Z"))), "from inclusive, to exclusive");
        assertEquals(List.of(row("k", 320, 3, 1, 30, 3)), store.spend(new SpendQuery(GroupBy.KEY, d2, null)));
    }

    @Test
    void concurrentRecordsFromEightThreadsSumExactly() throws Exception {
        int threads = 8;
        int calls = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < calls; i++) {
                        store.recordSpend(List.of(spend("r-" + thread + "-" + i, CREATED.plusSeconds(i), "shared", List.of("team"),
                                "m", (long) (thread + 1)), spend("s-" + thread + "-" + i, CREATED, "k" + thread, List.of(), "m", 1L)));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long expected = 0;
        for (int t = 0; t < threads; t++) {
            expected += (long) (t + 1) * calls;
            assertEquals(calls, store.keySpentMicros("k" + t, null));
        }
        assertEquals(expected, store.keySpentMicros("shared", null));
        assertEquals(expected, store.teamSpentMicros("team", null));
        assertEquals((long) threads * calls * 2, spendBy(GroupBy.MODEL).get(0).requests());
    }
}
