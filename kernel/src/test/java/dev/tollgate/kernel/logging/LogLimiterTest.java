package dev.tollgate.kernel.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.testkit.ManualTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogLimiterTest {

    @Test
    void aFewLinesPerKindPerIntervalAndTheNextOneCarriesTheCountHeldBack() {
        ManualTime time = new ManualTime();
        LogLimiter limiter = new LogLimiter(time, Duration.ofSeconds(1).toNanos(), 2);

        assertThat(limiter.admit("503 governance_unavailable")).isZero();
        assertThat(limiter.admit("503 governance_unavailable")).isZero();
        assertThat(limiter.admit("503 governance_unavailable")).isEqualTo(-1);
        assertThat(limiter.admit("503 governance_unavailable")).isEqualTo(-1);
        assertThat(limiter.admit("502 upstream_unavailable")).as("another kind has its own budget").isZero();

        time.advance(Duration.ofMillis(999));
        assertThat(limiter.admit("503 governance_unavailable")).isEqualTo(-1);
        time.advance(Duration.ofMillis(1));
        assertThat(limiter.admit("503 governance_unavailable")).as("three held back").isEqualTo(3);
        assertThat(limiter.admit("503 governance_unavailable")).isZero();
        assertThat(limiter.admit("503 governance_unavailable")).isEqualTo(-1);
    }

    @Test
    void kindsBeyondTheBoundShareOneSlot() {
        ManualTime time = new ManualTime();
        LogLimiter limiter = new LogLimiter(time, Duration.ofSeconds(1).toNanos(), 1);
        for (int i = 0; i < LogLimiter.MAX_KINDS; i++) {
            assertThat(limiter.admit("kind " + i)).isZero();
        }

        assertThat(limiter.admit("one more")).isZero();
        assertThat(limiter.admit("and another")).as("shares the overflow slot").isEqualTo(-1);
    }
}
