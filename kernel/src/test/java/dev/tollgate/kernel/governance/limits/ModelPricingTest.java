package dev.tollgate.kernel.governance.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelPricingTest {

    private static Prices prices(int in, int out) {
        return Prices.builder(BigDecimal.valueOf(in), BigDecimal.valueOf(out)).build();
    }

    @Test
    void theWorstCaseOfAModelTakesEachPriceAndLimitAtItsHighest() {
        ModelPricing pricing = ModelPricing.worstOf(Map.of("gpt", List.of(
                ModelInfo.builder("a").prices(prices(3, 1)).maxOutputTokens(100).contextWindow(8000).build(),
                ModelInfo.builder("b").prices(prices(1, 5)).maxOutputTokens(400).contextWindow(4000).build())));

        ModelInfo worst = pricing.worstCase("gpt").orElseThrow();
        assertThat(worst.prices()).contains(Prices.builder(BigDecimal.valueOf(3), BigDecimal.valueOf(5))
                .cachedInputPerMillion(BigDecimal.valueOf(3)).cacheWritePerMillion(BigDecimal.valueOf(3))
                .reasoningPerMillion(BigDecimal.valueOf(5)).build());
        assertThat(worst.maxOutputTokens()).hasValue(400);
        assertThat(worst.contextWindow()).hasValue(8000);
        assertThat(pricing.worstCase("other")).isEmpty();
    }

    @Test
    void oneUnpricedDeploymentMakesTheModelUnpriced() {
        ModelPricing pricing = ModelPricing.worstOf(Map.of("gpt", List.of(
                ModelInfo.builder("a").prices(prices(3, 1)).build(), ModelInfo.builder("b").build())));
        assertThat(pricing.worstCase("gpt").orElseThrow().prices()).isEmpty();
    }

    @Test
    void theWorstCaseCostUsesTheDearerCacheWriteAndReasoningPrices() {
        Prices p = Prices.builder(BigDecimal.ONE, BigDecimal.valueOf(2)).cacheWritePerMillion(BigDecimal.valueOf(4))
                .reasoningPerMillion(BigDecimal.valueOf(8)).cachedInputPerMillion(BigDecimal.valueOf(0.1)).build();
        assertThat(GovernancePolicy.worstCaseMicros(p, 1000, 1000)).isEqualTo(4000 + 8000);
        assertThat(GovernancePolicy.worstCaseMicros(prices(1, 2), 1000, 1000)).isEqualTo(3000);
    }
}
