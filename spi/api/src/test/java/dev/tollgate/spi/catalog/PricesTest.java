package dev.tollgate.spi.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.chat.Usage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PricesTest {

    private static BigDecimal d(String v) {
        return new BigDecimal(v);
    }

    private static final Prices MINI = Prices.builder(d("0.15"), d("0.60")).build();

    @Test
    void plainInputAndOutputCostTheirPricePerMillionExactly() {
        Usage u = Usage.of(1000, 500);

        assertThat(MINI.cost(u)).isEqualByComparingTo("0.00045");
        assertThat(MINI.costMicros(u)).isEqualTo(450);
    }

    @Test
    void cachedInputCostsTheCachedPriceAndFallsBackToTheInputPrice() {
        Usage u = Usage.builder().inputTokens(1_000_000).cachedInputTokens(400_000).outputTokens(0).build();
        Prices withCached = Prices.builder(d("2.50"), d("10")).cachedInputPerMillion(d("1.25")).build();

        assertThat(withCached.cost(u)).isEqualByComparingTo("2.00");
        assertThat(Prices.builder(d("2.50"), d("10")).build().cost(u)).isEqualByComparingTo("2.50");
    }

    @Test
    void cacheWritesCostTheWritePriceAndFallBackToTheInputPrice() {
        Usage u = Usage.builder().inputTokens(1_000_000).cacheWriteTokens(200_000).cachedInputTokens(300_000).build();
        Prices anthropicLike = Prices.builder(d("3"), d("15")).cachedInputPerMillion(d("0.30")).cacheWritePerMillion(d("3.75")).build();

        assertThat(anthropicLike.cost(u)).as("500k plain at 3, 300k read at 0.30, 200k written at 3.75")
                .isEqualByComparingTo("2.34");
        assertThat(Prices.builder(d("3"), d("15")).cachedInputPerMillion(d("0.30")).build().cost(u))
                .isEqualByComparingTo("2.19");
    }

    @Test
    void reasoningTokensCostTheReasoningPriceAndFallBackToTheOutputPrice() {
        Usage u = Usage.builder().inputTokens(0).outputTokens(1_000_000).reasoningTokens(600_000).build();

        assertThat(Prices.builder(d("1"), d("4")).reasoningPerMillion(d("8")).build().cost(u)).isEqualByComparingTo("6.40");
        assertThat(Prices.builder(d("1"), d("4")).build().cost(u)).isEqualByComparingTo("4");
    }

    @Test
    void costMicrosRoundsHalfUpToTheMicroDollar() {
        Prices half = Prices.builder(d("0.5"), d("0.4999")).build();

        assertThat(half.costMicros(Usage.of(1, 0))).as("0.5 µ$").isEqualTo(1);
        assertThat(half.costMicros(Usage.of(0, 1))).as("0.4999 µ$").isZero();
        assertThat(half.costMicros(Usage.of(3, 0))).as("1.5 µ$").isEqualTo(2);
    }

    @Test
    void costMicrosRoundsOnceOverTheWholeCallNotPerPart() {
        Prices p = Prices.builder(d("0.4"), d("0.4")).cachedInputPerMillion(d("0.4")).build();
        Usage u = Usage.builder().inputTokens(2).cachedInputTokens(1).outputTokens(1).build();

        assertThat(p.cost(u)).isEqualByComparingTo("0.0000012");
        assertThat(p.costMicros(u)).as("three parts of 0.4 µ$ each").isEqualTo(1);
    }

    @Test
    void aZeroPricedModelCostsNothing() {
        assertThat(Prices.builder(BigDecimal.ZERO, BigDecimal.ZERO).build().costMicros(Usage.of(1_000_000, 1_000_000))).isZero();
    }

    @Test
    void negativePricesAreRefused() {
        assertThatThrownBy(() -> Prices.builder(d("-1"), d("1")).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input");
        assertThatThrownBy(() -> Prices.builder(d("1"), d("1")).reasoningPerMillion(d("-0.1")).build())
                .hasMessageContaining("reasoning");
    }
}
