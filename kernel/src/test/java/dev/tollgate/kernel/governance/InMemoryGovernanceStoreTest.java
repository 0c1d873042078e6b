package dev.tollgate.kernel.governance;

import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.VirtualKey;
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
        store.createKey(VirtualKey.builder().id("key_1").name("a").prefix("tg-AAAAAAAA").hash("h1").allowedModels(Set.of())
                .metadata(Map.of()).createdAt(T0).build());

        assertThat(store.updateKey(VirtualKey.builder().id("key_1").name("b").prefix("tg-BBBBBBBB").hash("h2")
                .allowedModels(Set.of("m")).metadata(Map.of()).enabled(false).createdAt(T0.plusSeconds(5)).build())).isTrue();

        VirtualKey k = store.keyByHash("h1").orElseThrow();
        assertThat(k.name()).isEqualTo("b");
        assertThat(k.prefix()).isEqualTo("tg-AAAAAAAA");
        assertThat(k.createdAt()).isEqualTo(T0);
        assertThat(store.keyByHash("h2")).isEmpty();
        assertThat(store.updateKey(VirtualKey.builder().id("key_2").name("x").prefix("p").hash("h").allowedModels(Set.of())
                .metadata(Map.of()).createdAt(T0).build())).isFalse();
    }

    @Test
    void spendIsRecordedOncePerRequestAndSummedPerKeyAndTeamTree() {
        InMemoryGovernanceStore store = new InMemoryGovernanceStore();
        SpendEntry first = SpendEntry.builder().requestId("r1").at(T0).keyId("key_1").teamPath(List.of("team_sub", "team_org"))
                .model("m").microUsd(100L).inputTokens(1).outputTokens(1).build();
        store.recordSpend(List.of(first, SpendEntry.builder().requestId("r2").at(T0.plusSeconds(60)).keyId("key_2")
                .teamPath(List.of("team_org")).model("m").microUsd(50L).inputTokens(1).outputTokens(1).build()));
        store.recordSpend(List.of(first, SpendEntry.builder().requestId("r3").at(T0.plusSeconds(90)).keyId("key_1")
                .teamPath(List.of()).model("m").inputTokens(1).outputTokens(1).build()));

        assertThat(store.keySpentMicros("key_1", T0)).isEqualTo(100);
        assertThat(store.keySpentMicros("key_1", T0.plusSeconds(1))).isZero();
        assertThat(store.teamSpentMicros("team_org", T0)).isEqualTo(150);
        assertThat(store.teamSpentMicros("team_sub", T0)).isEqualTo(100);
        assertThat(store.spend(new SpendQuery(SpendQuery.GroupBy.KEY, null, null)))
                .containsExactly(SpendQuery.Row.builder("key_1").microUsd(100).requests(2).unpricedRequests(1).inputTokens(2)
                .outputTokens(2).build(), SpendQuery.Row.builder("key_2").microUsd(50).requests(1).unpricedRequests(0)
                .inputTokens(1).outputTokens(1).build());
    }
}
