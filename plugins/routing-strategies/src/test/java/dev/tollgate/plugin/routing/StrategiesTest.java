package dev.tollgate.plugin.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.routing.Health;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import dev.tollgate.spi.routing.RoutingStrategyFactory;
import dev.tollgate.spi.testkit.FakePluginContext;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StrategiesTest {

    private static final RouteRequest PLAIN = request(false, -1);

    private static RouteRequest request(boolean stream, int maxTokens) {
        RequestFacts.Builder f = RequestFacts.builder(WireFormat.OPENAI_CHAT, "m").stream(stream).promptTokenEstimate(1000);
        if (maxTokens >= 0) {
            f.maxTokens(maxTokens);
        }
        return RouteRequest.of("r-1", "m", f.build(), Principal.ANONYMOUS, List.of());
    }

    private static RoutingStrategy strategy(String name, Map<String, Object> config) {
        RoutingStrategyFactory f = new RoutingStrategiesPlugin().routingStrategies().stream().filter(s -> s.name().equals(name))
                .findFirst().orElseThrow();
        return f.create(PluginConfig.of("models.m.routing.config", config), new FakePluginContext());
    }

    private static Map<String, Long> share(RoutingStrategy s, RouteRequest r, List<TestCandidate> cs, int picks) {
        return java.util.stream.IntStream.range(0, picks).mapToObj(i -> cs.get(s.choose(r, cs)).id)
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    @Test
    void theFactoriesAreTheFiveStrategies() {
        assertThat(new RoutingStrategiesPlugin().routingStrategies()).extracting(RoutingStrategyFactory::name)
                .containsExactly("round-robin", "least-latency", "least-busy", "lowest-cost", "priority");
    }

    @Test
    void roundRobinTakesEachCandidateInTurnAndSkipsAnOpenOne() {
        RoutingStrategy s = strategy("round-robin", Map.of());
        List<TestCandidate> cs = List.of(new TestCandidate("a"), new TestCandidate("b"), new TestCandidate("c"));
        assertThat(share(s, PLAIN, cs, 300)).containsEntry("a", 100L).containsEntry("b", 100L).containsEntry("c", 100L);
        cs.get(1).health = Health.OPEN;
        assertThat(share(s, PLAIN, cs, 300)).doesNotContainKey("b");
    }

    @Test
    void leastLatencyMovesOffADeploymentMadeTenTimesSlowerAndBackWhenItRecovers() {
        RoutingStrategy s = strategy("least-latency", Map.of());
        List<TestCandidate> cs = List.of(new TestCandidate("a"), new TestCandidate("b"), new TestCandidate("c"));
        cs.forEach(c -> c.latencyMicros = 100_000);
        assertThat(share(s, PLAIN, cs, 3000).get("b")).isBetween(800L, 1200L);
        cs.get(1).latencyMicros = 1_000_000;
        assertThat(share(s, PLAIN, cs, 3000).getOrDefault("b", 0L)).as("at most 10%% of the traffic").isLessThanOrEqualTo(300L);
        cs.get(1).latencyMicros = 100_000;
        assertThat(share(s, PLAIN, cs, 3000).get("b")).isBetween(800L, 1200L);
    }

    @Test
    void leastLatencyUsesTimeToFirstTokenForStreamsAndCountsRequestsInFlight() {
        RoutingStrategy s = strategy("least-latency", Map.of());
        TestCandidate a = new TestCandidate("a");
        TestCandidate b = new TestCandidate("b");
        a.latencyMicros = 100_000;
        a.ttftMicros = 90_000;
        b.latencyMicros = 2_000_000; // long answers, but the first token comes fast
        b.ttftMicros = 20_000;
        List<TestCandidate> cs = List.of(a, b);
        assertThat(cs.get(s.choose(request(true, -1), cs)).id).isEqualTo("b");
        assertThat(cs.get(s.choose(PLAIN, cs)).id).isEqualTo("a");
        b.inFlight = 9; // 20 ms × 10 in flight costs more than 90 ms × 1
        assertThat(cs.get(s.choose(request(true, -1), cs)).id).isEqualTo("a");
    }

    @Test
    void anUnmeasuredDeploymentIsTriedFirst() {
        RoutingStrategy s = strategy("least-latency", Map.of());
        TestCandidate measured = new TestCandidate("measured");
        measured.latencyMicros = 10;
        List<TestCandidate> cs = List.of(measured, new TestCandidate("new"));
        assertThat(cs.get(s.choose(PLAIN, cs)).id).isEqualTo("new");
    }

    @Test
    void leastBusyAvoidsADeploymentHoldingLongStreams() {
        RoutingStrategy s = strategy("least-busy", Map.of());
        TestCandidate busy = new TestCandidate("busy");
        busy.inFlight = 40;
        TestCandidate idle = new TestCandidate("idle");
        TestCandidate idle2 = new TestCandidate("idle2");
        List<TestCandidate> cs = List.of(busy, idle, idle2);
        Map<String, Long> picks = share(s, PLAIN, cs, 2000);
        assertThat(picks).doesNotContainKey("busy");
        assertThat(picks.get("idle")).as("ties shared at random").isBetween(800L, 1200L);
        idle.inFlight = 41;
        idle2.inFlight = 41;
        assertThat(cs.get(s.choose(PLAIN, cs)).id).isEqualTo("busy");
    }

    @Test
    void lowestCostPicksTheCheapestForTheExpectedTokensAndPutsUnpricedLast() {
        RoutingStrategy s = strategy("lowest-cost", Map.of("expected_output_tokens", 100));
        // 1000 prompt tokens: cheap-input costs 0.1×1000 + 10×100 = 1100; cheap-output 1×1000 + 1×100 = 1100 + ... = 1100
        TestCandidate cheapInput = new TestCandidate("cheap-input").priced("0.1", "10");
        TestCandidate balanced = new TestCandidate("balanced").priced("1", "0.5");
        TestCandidate unpriced = new TestCandidate("unpriced");
        List<TestCandidate> cs = List.of(unpriced, cheapInput, balanced);
        assertThat(cs.get(s.choose(PLAIN, cs)).id).isEqualTo("balanced"); // 1050 < 1100
        assertThat(cs.get(s.choose(request(false, 10), cs)).id).as("max_tokens is the expected output").isEqualTo("cheap-input");
        assertThat(cs.get(s.choose(PLAIN, List.of(unpriced))).id).isEqualTo("unpriced");
    }

    @Test
    void lowestCostRefusesANegativeExpectation() {
        assertThatThrownBy(() -> strategy("lowest-cost", Map.of("expected_output_tokens", -1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("expected_output_tokens must not be negative");
    }

    @Test
    void priorityUsesTierTwoOnlyWhileTierOneIsOpenCircuit() {
        RoutingStrategy s = strategy("priority", Map.of());
        TestCandidate first = new TestCandidate("first");
        TestCandidate firstToo = new TestCandidate("first-too");
        TestCandidate second = new TestCandidate("second");
        second.tier = 1;
        List<TestCandidate> cs = List.of(second, first, firstToo);
        assertThat(share(s, PLAIN, cs, 1000)).doesNotContainKey("second");
        first.health = Health.OPEN;
        assertThat(share(s, PLAIN, cs, 1000)).containsOnlyKeys("first-too");
        firstToo.health = Health.OPEN;
        assertThat(share(s, PLAIN, cs, 1000)).containsOnlyKeys("second");
        first.health = Health.HALF_OPEN;
        assertThat(share(s, PLAIN, cs, 1000)).as("a half-open tier gets its probe").containsOnlyKeys("first");
        // the kernel leaves open deployments out: tier 1 alone is served
        assertThat(share(s, PLAIN, List.of(second), 10)).containsOnlyKeys("second");
    }

    @Test
    void aStrategyWithUnknownConfigKeysIsRefused() {
        assertThatThrownBy(() -> strategy("round-robin", Map.of("speed", 3))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("speed");
    }
}
