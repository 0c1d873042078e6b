package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.governance.Budget;
import dev.tollgate.kernel.governance.Limits;
import dev.tollgate.kernel.governance.Period;
import dev.tollgate.kernel.governance.SpendEntry;
import dev.tollgate.kernel.governance.SpendQuery;
import dev.tollgate.kernel.governance.Team;
import dev.tollgate.kernel.governance.VirtualKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedGovernanceStoreTest {

    static final Instant CREATED = Instant.parse("2026-03-01T10:15:30.123456789Z");

    @TempDir
    Path dir;

    EmbeddedGovernanceStore store;

    @BeforeEach
    void open() {
        store = EmbeddedGovernanceStore.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Team fullTeam(String id, String parentId) {
        return new Team(id, "Team " + id, parentId, new Limits(600L, 100_000L, 8, new Budget(25_000_000L, Period.MONTHLY)),
                Map.of("cost-centre", "42", "owner", "ops@example.org"), CREATED);
    }

    static VirtualKey fullKey(String id, String teamId) {
        return new VirtualKey(id, "Key " + id, teamId, "abcd1234", "hash-" + id, Set.of("gpt-4o", "claude-sonnet"),
                Instant.parse("2027-01-01T00:00:00Z"), Map.of("env", "prod"), true,
                Instant.parse("2026-06-01T08:00:00.5Z"), new Limits(60L, null, 2, new Budget(1_000_000L, Period.DAILY)),
                CREATED);
    }

    static VirtualKey bareKey(String id) {
        return new VirtualKey(id, "bare", null, "zzzz0000", "hash-" + id, null, null, null, false, null, null, CREATED);
    }

    @Test
    void teamsRoundTripWithEveryFieldAndWithNulls() {
        Team full = fullTeam("org", null);
        Team bare = new Team("bare", "Bare", "org", null, null, CREATED);
        Team partial = new Team("partial", "Partial", "org", new Limits(null, 5L, null, new Budget(0, Period.NONE)),
                Map.of(), CREATED);
        store.createTeam(full);
        store.createTeam(bare);
        store.createTeam(partial);

        assertThat(store.team("org")).contains(full);
        assertThat(store.team("bare")).contains(bare);
        assertThat(store.team("bare").orElseThrow().limits()).isEqualTo(Limits.NONE);
        assertThat(store.team("partial")).contains(partial);
        assertThat(store.team("nope")).isEmpty();
        assertThat(store.teams()).containsExactly(bare, full, partial);
    }

    @Test
    void keysRoundTripWithEveryFieldAndWithNulls() {
        store.createTeam(fullTeam("t", null));
        VirtualKey full = fullKey("k1", "t");
        VirtualKey bare = bareKey("k2");
        store.createKey(full);
        store.createKey(bare);

        assertThat(store.key("k1")).contains(full);
        assertThat(store.key("k2")).contains(bare);
        assertThat(store.key("k2").orElseThrow().usableAt(CREATED)).isFalse();
        assertThat(store.key("nope")).isEmpty();
        assertThat(store.keys()).containsExactly(full, bare);
    }

    @Test
    void keyByHashFindsTheKeyWithThatHashOnly() {
        store.createKey(bareKey("a"));
        store.createKey(bareKey("b"));

        assertThat(store.keyByHash("hash-b")).map(VirtualKey::id).contains("b");
        assertThat(store.keyByHash("hash-a")).map(VirtualKey::id).contains("a");
        assertThat(store.keyByHash("hash-c")).isEmpty();
    }

    @Test
    void duplicateIdsAndHashesAreRefusedAndLeaveTheFirstInPlace() {
        store.createTeam(fullTeam("t", null));
        store.createKey(fullKey("k", "t"));

        assertThatThrownBy(() -> store.createTeam(new Team("t", "other", null, null, null, CREATED)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("team already exists: t");
        assertThatThrownBy(() -> store.createKey(bareKey("k")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key already exists: k");
        VirtualKey sameHash = new VirtualKey("k2", "x", null, "p", "hash-k", null, null, null, true, null, null, CREATED);
        assertThatThrownBy(() -> store.createKey(sameHash))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash");

        assertThat(store.team("t")).contains(fullTeam("t", null));
        assertThat(store.key("k")).contains(fullKey("k", "t"));
        assertThat(store.keys()).hasSize(1);
    }

    @Test
    void updatesReplaceTheRecordAndReportUnknownIds() {
        store.createTeam(fullTeam("t", null));
        store.createKey(fullKey("k", "t"));

        Team renamed = new Team("t", "Renamed", "parent", Limits.NONE, Map.of("a", "b"), CREATED.plusSeconds(1));
        assertThat(store.updateTeam(renamed)).isTrue();
        assertThat(store.team("t")).contains(renamed);

        VirtualKey revoked = new VirtualKey("k", "Revoked", null, "other-prefix", "other-hash", Set.of("m"), null,
                Map.of(), false, Instant.parse("2026-04-01T00:00:00Z"), new Limits(1L, 2L, 3, null), CREATED);
        assertThat(store.updateKey(revoked)).isTrue();
        VirtualKey stored = store.key("k").orElseThrow();
        assertThat(stored.name()).isEqualTo("Revoked");
        assertThat(stored.teamId()).isNull();
        assertThat(stored.allowedModels()).containsExactly("m");
        assertThat(stored.expiresAt()).isNull();
        assertThat(stored.enabled()).isFalse();
        assertThat(stored.revokedAt()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
        assertThat(stored.limits()).isEqualTo(new Limits(1L, 2L, 3, null));
        assertThat(stored.hash()).as("the hash never changes").isEqualTo("hash-k");
        assertThat(stored.prefix()).as("the prefix never changes").isEqualTo("abcd1234");
        assertThat(store.keyByHash("hash-k")).contains(stored);

        assertThat(store.updateTeam(fullTeam("ghost", null))).isFalse();
        assertThat(store.updateKey(bareKey("ghost"))).isFalse();
        assertThat(store.team("ghost")).isEmpty();
        assertThat(store.key("ghost")).isEmpty();
    }

    @Test
    void deleteTeamRemovesItOnce() {
        store.createTeam(fullTeam("t", null));

        assertThat(store.deleteTeam("t")).isTrue();
        assertThat(store.team("t")).isEmpty();
        assertThat(store.deleteTeam("t")).isFalse();
    }

    @Test
    void reopeningAfterCloseKeepsTeamsKeysAndSpend() {
        store.createTeam(fullTeam("org", null));
        store.createTeam(fullTeam("team", "org"));
        store.createKey(fullKey("k", "team"));
        store.recordSpend(List.of(new SpendEntry("r1", CREATED, "k", List.of("team", "org"), "gpt-4o", 700L, 10, 20)));
        store.close();

        store = EmbeddedGovernanceStore.open(dir);

        assertThat(store.teams()).containsExactly(fullTeam("org", null), fullTeam("team", "org"));
        assertThat(store.keys()).containsExactly(fullKey("k", "team"));
        assertThat(store.keySpentMicros("k", null)).isEqualTo(700);
        assertThat(store.teamSpentMicros("org", null)).isEqualTo(700);
        assertThat(Files.exists(dir.resolve(EmbeddedGovernanceStore.FILE_NAME))).isTrue();
    }

    @Test
    void theDataDirectoryIsCreatedWhenMissing() {
        Path nested = dir.resolve("a/b/data");
        try (EmbeddedGovernanceStore other = EmbeddedGovernanceStore.open(nested, Durability.POWER_LOSS)) {
            other.createTeam(fullTeam("t", null));
            assertThat(other.team("t")).isPresent();
        }
        assertThat(Files.exists(nested.resolve(EmbeddedGovernanceStore.FILE_NAME))).isTrue();
    }

    @Test
    void aFileFromANewerSchemaIsRefusedWithAClearError() throws Exception {
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedGovernanceStore.FILE_NAME));
                Statement s = c.createStatement()) {
            s.execute("UPDATE schema_version SET version = " + (Schema.CURRENT + 1));
        }

        assertThatThrownBy(() -> EmbeddedGovernanceStore.open(dir))
                .isInstanceOf(GovernanceStoreException.class)
                .hasMessageContaining("schema version " + (Schema.CURRENT + 1));
        store = EmbeddedGovernanceStore.open(dir.resolve("fresh")); // for @AfterEach
    }

    @Test
    void reopeningKeepsTheSchemaVersionAndDoesNotMigrateAgain() throws Exception {
        store.createTeam(fullTeam("t", null));
        store.close();
        store = EmbeddedGovernanceStore.open(dir);
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedGovernanceStore.FILE_NAME));
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*), MAX(version) FROM schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getInt(2)).isEqualTo(Schema.CURRENT);
        }
        store = EmbeddedGovernanceStore.open(dir);
        assertThat(store.team("t")).isPresent();
    }

    @Test
    void aVersionOneLedgerIsFoldedIntoBucketsAndItsPerRequestTablesDropped() throws Exception {
        store.close();
        Path old = dir.resolve("v1");
        Files.createDirectories(old);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(EmbeddedGovernanceStore.FILE_NAME));
                Statement s = c.createStatement()) {
            for (String sql : Schema.MIGRATIONS.get(0)) {
                s.execute(sql);
            }
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version (version) VALUES (1)");
            // 2026-03-01T00:14:59.5Z and 00:15:00Z (two buckets), and 1969-12-31T23:59:59.5Z (before the epoch)
            long at1 = 1_772_324_099_500_000_000L;
            long at2 = 1_772_324_100_000_000_000L;
            s.execute("INSERT INTO spend VALUES ('r1', " + at1 + ", '2026-03-01', 'k', 'm', 100, 10, 1),"
                    + " ('r2', " + at2 + ", '2026-03-01', 'k', 'm', NULL, 20, 2),"
                    + " ('r3', -500000000, '1969-12-31', NULL, 'n', 7, 1, 1)");
            s.execute("INSERT INTO spend_team VALUES ('r1', 'team', " + at1 + ", 100), ('r1', 'org', " + at1 + ", 100),"
                    + " ('r2', 'org', " + at2 + ", NULL)");
        }
        store = EmbeddedGovernanceStore.open(old);
        Instant quarter = Instant.parse("2026-03-01T00:15:00Z");

        assertThat(store.keySpentMicros("k", null)).isEqualTo(100);
        assertThat(store.keySpentMicros("k", quarter)).isZero();
        assertThat(store.teamSpentMicros("org", null)).isEqualTo(100);
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.TEAM, null, null))).containsExactly(
                new SpendQuery.Row("org", 100, 2, 1, 30, 3), new SpendQuery.Row("team", 100, 1, 0, 10, 1));
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.KEY, quarter, null)))
                .containsExactly(new SpendQuery.Row("k", 0, 1, 1, 20, 2));
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.DAY, null, null))).containsExactly(
                new SpendQuery.Row("1969-12-31", 7, 1, 0, 1, 1), new SpendQuery.Row("2026-03-01", 100, 2, 1, 30, 3));
        store.recordSpend(List.of(new SpendEntry("r4", quarter.plusSeconds(1), "k", List.of("org"), "m", 5L, 1, 1)));
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.KEY, quarter, null)))
                .containsExactly(new SpendQuery.Row("k", 5, 2, 1, 21, 3));
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(EmbeddedGovernanceStore.FILE_NAME));
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('spend', 'spend_team')")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the per-request tables are gone").isZero();
        }
        store = EmbeddedGovernanceStore.open(dir);
    }

    @Test
    void aClosedStoreRefusesCalls() {
        store.close();

        assertThatThrownBy(() -> store.teams()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.createTeam(fullTeam("t", null))).isInstanceOf(IllegalStateException.class);
        store.close(); // twice is harmless
        store = EmbeddedGovernanceStore.open(dir);
    }

    @Test
    void concurrentWritersAndReadersLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 100;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    store.createKey(bareKey("k" + thread));
                    for (int i = 0; i < perThread; i++) {
                        store.recordSpend(List.of(new SpendEntry("r-" + thread + "-" + i, CREATED, "k" + thread,
                                List.of("org"), "m", 3L, 1, 1)));
                        assertThat(store.keySpentMicros("k" + thread, null)).isEqualTo(3L * (i + 1));
                        assertThat(store.keyByHash("hash-k" + thread)).isPresent();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.keys()).hasSize(threads);
        assertThat(store.teamSpentMicros("org", null)).isEqualTo(3L * threads * perThread);
    }
}
