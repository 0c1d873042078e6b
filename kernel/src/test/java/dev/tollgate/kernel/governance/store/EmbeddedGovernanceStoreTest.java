package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.testkit.GovernanceStoreContract;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store passes the testkit's {@link GovernanceStoreContract}, the same one every plugin
 * store passes; the tests here cover what is its own (nanosecond instants, the file, migrations).
 */
class EmbeddedGovernanceStoreTest extends GovernanceStoreContract {

    static final Instant CREATED = Instant.parse("2026-03-01T10:15:30.123456789Z");

    @TempDir
    Path dir;

    @Override
    protected GovernanceStore newStore() {
        return EmbeddedGovernanceStore.open(dir);
    }

    protected static Team fullTeam(String id, String parentId) {
        return Team.builder().id(id).name("Team " + id).parentId(parentId)
                .limits(Limits.builder().rpm(600L).tpm(100_000L).maxParallel(8).budget(new Budget(25_000_000L, Period.MONTHLY)).build())
                .metadata(Map.of("cost-centre", "42", "owner", "ops@example.org")).createdAt(CREATED).build();
    }

    protected static VirtualKey fullKey(String id, String teamId) {
        return VirtualKey.builder().id(id).name("Key " + id).teamId(teamId).prefix("abcd1234").hash("hash-" + id)
                .allowedModels(Set.of("gpt-4o", "claude-sonnet"))
                .expiresAt(Instant.parse("2027-01-01T00:00:00Z")).metadata(Map.of("env", "prod"))
                .revokedAt(Instant.parse("2026-06-01T08:00:00.5Z"))
                .limits(Limits.builder().rpm(60L).maxParallel(2).budget(new Budget(1_000_000L, Period.DAILY)).build())
                .createdAt(CREATED).build();
    }

    protected static VirtualKey bareKey(String id) {
        return VirtualKey.builder().id(id).name("bare").prefix("zzzz0000").hash("hash-" + id).enabled(false).createdAt(CREATED).build();
    }

    @Test
    void teamsRoundTripWithEveryFieldAndWithNulls() {
        Team full = fullTeam("org", null);
        Team bare = Team.builder().id("bare").name("Bare").parentId("org").createdAt(CREATED).build();
        Team partial = Team.builder().id("partial").name("Partial").parentId("org")
                .limits(Limits.builder().tpm(5L).budget(new Budget(0, Period.NONE)).build())
                .metadata(Map.of()).createdAt(CREATED).build();
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

        assertThatThrownBy(() -> store.createTeam(Team.builder().id("t").name("other").createdAt(CREATED).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("team already exists: t");
        assertThatThrownBy(() -> store.createKey(bareKey("k")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key already exists: k");
        VirtualKey sameHash = VirtualKey.builder().id("k2").name("x").prefix("p").hash("hash-k").createdAt(CREATED).build();
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

        Team renamed = Team.builder().id("t").name("Renamed").parentId("parent").limits(Limits.NONE).metadata(Map.of("a", "b"))
                .createdAt(CREATED.plusSeconds(1)).build();
        assertThat(store.updateTeam(renamed)).isTrue();
        assertThat(store.team("t")).contains(renamed);

        VirtualKey revoked = VirtualKey.builder().id("k").name("Revoked").prefix("other-prefix").hash("other-hash")
                .allowedModels(Set.of("m"))
                .metadata(Map.of()).enabled(false).revokedAt(Instant.parse("2026-04-01T00:00:00Z"))
                .limits(Limits.builder().rpm(1L).tpm(2L).maxParallel(3).build()).createdAt(CREATED).build();
        assertThat(store.updateKey(revoked)).isTrue();
        VirtualKey stored = store.key("k").orElseThrow();
        assertThat(stored.name()).isEqualTo("Revoked");
        assertThat(stored.teamId()).isNull();
        assertThat(stored.allowedModels()).containsExactly("m");
        assertThat(stored.expiresAt()).isNull();
        assertThat(stored.enabled()).isFalse();
        assertThat(stored.revokedAt()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
        assertThat(stored.limits()).isEqualTo(Limits.builder().rpm(1L).tpm(2L).maxParallel(3).build());
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
        store.recordSpend(List.of(SpendEntry.builder().requestId("r1").at(CREATED).keyId("k").teamPath(List.of("team", "org"))
                .model("gpt-4o").microUsd(700L).inputTokens(10).outputTokens(20).build()));
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
                SpendQuery.Row.builder("org").microUsd(100).requests(2).unpricedRequests(1).inputTokens(30).outputTokens(3)
                        .build(), SpendQuery.Row.builder("team").microUsd(100).requests(1).unpricedRequests(0).inputTokens(10)
                        .outputTokens(1).build());
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.KEY, quarter, null)))
                .containsExactly(SpendQuery.Row.builder("k").microUsd(0).requests(1).unpricedRequests(1).inputTokens(20)
                .outputTokens(2).build());
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.DAY, null, null))).containsExactly(
                SpendQuery.Row.builder("1969-12-31").microUsd(7).requests(1).unpricedRequests(0).inputTokens(1).outputTokens(1)
                        .build(), SpendQuery.Row.builder("2026-03-01").microUsd(100).requests(2).unpricedRequests(1)
                        .inputTokens(30).outputTokens(3).build());
        store.recordSpend(List.of(SpendEntry.builder().requestId("r4").at(quarter.plusSeconds(1)).keyId("k")
                .teamPath(List.of("org")).model("m").microUsd(5L).inputTokens(1).outputTokens(1).build()));
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.KEY, quarter, null)))
                .containsExactly(SpendQuery.Row.builder("k").microUsd(5).requests(2).unpricedRequests(1).inputTokens(21)
                .outputTokens(3).build());
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
                        store.recordSpend(List.of(SpendEntry.builder().requestId("r-" + thread + "-" + i).at(CREATED).keyId("k" + thread)
                                .teamPath(List.of("org")).model("m").microUsd(3L).inputTokens(1).outputTokens(1).build()));
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
