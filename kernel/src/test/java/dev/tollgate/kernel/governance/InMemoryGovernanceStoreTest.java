package dev.tollgate.kernel.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryGovernanceStoreTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void anUpdateKeepsTheKeysHashPrefixAndCreationTime() {
        InMemoryGovernanceStore store = new InMemoryGovernanceStore();
        store.createKey(new VirtualKey("key_1", "a", null, "tg-AAAAAAAA", "h1", Set.of(), null, Map.of(), true, null, null, T0));

        assertThat(store.updateKey(new VirtualKey("key_1", "b", null, "tg-BBBBBBBB", "h2", Set.of("m"), null, Map.of(), false, null,
                null, T0.plusSeconds(5)))).isTrue();

        VirtualKey k = store.keyByHash("h1").orElseThrow();
        assertThat(k.name()).isEqualTo("b");
        assertThat(k.prefix()).isEqualTo("tg-AAAAAAAA");
        assertThat(k.createdAt()).isEqualTo(T0);
        assertThat(store.keyByHash("h2")).isEmpty();
        assertThat(store.updateKey(new VirtualKey("key_2", "x", null, "p", "h", Set.of(), null, Map.of(), true, null, null, T0))).isFalse();
    }

    @Test
    void spendIsRecordedOncePerRequestAndSummedPerKeyAndTeamTree() {
        InMemoryGovernanceStore store = new InMemoryGovernanceStore();
        SpendEntry first = new SpendEntry("r1", T0, "key_1", List.of("team_sub", "team_org"), "m", 100L, 1, 1);
        store.recordSpend(List.of(first, new SpendEntry("r2", T0.plusSeconds(60), "key_2", List.of("team_org"), "m", 50L, 1, 1)));
        store.recordSpend(List.of(first, new SpendEntry("r3", T0.plusSeconds(90), "key_1", List.of(), "m", null, 1, 1)));

        assertThat(store.keySpentMicros("key_1", T0)).isEqualTo(100);
        assertThat(store.keySpentMicros("key_1", T0.plusSeconds(1))).isZero();
        assertThat(store.teamSpentMicros("team_org", T0)).isEqualTo(150);
        assertThat(store.teamSpentMicros("team_sub", T0)).isEqualTo(100);
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.KEY, null, null)))
                .containsExactly(new SpendQuery.Row("key_1", 100, 2, 1, 2, 2), new SpendQuery.Row("key_2", 50, 1, 0, 1, 1));
    }
}
