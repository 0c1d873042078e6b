package dev.tollgate.plugin.routing;

import dev.tollgate.spi.catalog.Prices;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code lowest-cost}: the candidate whose expected cost is lowest, from the catalog's prices:
 * input price × the prompt estimate plus output price × the expected output ({@code max_tokens}
 * when the request sets it, else {@code expected_output_tokens}). A candidate without prices
 * comes last; ties are broken at random.
 */
final class LowestCost implements RoutingStrategy {

    static final String NAME = "lowest-cost";
    private final long expectedOutputTokens;

    LowestCost(long expectedOutputTokens) {
        this.expectedOutputTokens = expectedOutputTokens;
    }

    static LowestCost fromConfig(PluginConfig config) {
        long expected = config.longValue("expected_output_tokens", 256);
        if (expected < 0) {
            throw new ConfigException(config.keyPath("expected_output_tokens") + " must not be negative, not " + expected);
        }
        return new LowestCost(expected);
    }

    @Override
    public int choose(RouteRequest request, List<? extends Candidate> candidates) {
        long input = request.facts().promptTokenEstimate();
        long output = request.facts().maxTokens().isPresent() ? request.facts().maxTokens().getAsInt() : expectedOutputTokens;
        int best = 0;
        double bestCost = Double.MAX_VALUE;
        int ties = 0;
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            double cost = Picks.usable(c) ? expectedCost(c, input, output) : Double.MAX_VALUE;
            if (cost < bestCost) {
                best = i;
                bestCost = cost;
                ties = 1;
            } else if (cost == bestCost && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = i;
            }
        }
        return best;
    }

    /** USD per million tokens times tokens; unpriced candidates just under unusable ones. */
    static double expectedCost(Candidate c, long input, long output) {
        Prices p = c.modelInfo().flatMap(i -> i.prices()).orElse(null);
        if (p == null) {
            return Double.MAX_VALUE / 2;
        }
        return p.inputPerMillion().doubleValue() * input + p.outputPerMillion().doubleValue() * output;
    }
}
