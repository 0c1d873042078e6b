package dev.tollgate.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedRandomTest {

    private record Weighted(String id, int weight) implements Candidate {
        @Override
        public String provider() {
            return "p";
        }

        @Override
        public String upstreamModel() {
            return id;
        }
    }

    @Test
    void tenThousandPicksFollowTheWeightsWithinTwoPercent() {
        List<Weighted> cs = List.of(new Weighted("a", 1), new Weighted("b", 2), new Weighted("c", 3), new Weighted("d", 4));
        RouteRequest r = RouteRequest.of("r", "m", RequestFacts.builder(WireFormat.OPENAI_CHAT, "m").build(), Principal.ANONYMOUS,
                List.of());
        int[] counts = new int[cs.size()];
        for (int i = 0; i < 10_000; i++) {
            counts[WeightedRandom.INSTANCE.choose(r, cs)]++;
        }
        for (int i = 0; i < cs.size(); i++) {
            double expected = cs.get(i).weight() / 10.0;
            assertThat(counts[i] / 10_000.0).as(cs.get(i).id()).isBetween(expected - 0.02, expected + 0.02);
        }
    }
}
