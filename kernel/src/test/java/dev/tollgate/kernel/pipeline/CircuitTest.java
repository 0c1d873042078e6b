package dev.tollgate.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.config.CircuitSettings;
import dev.tollgate.spi.routing.Health;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitTest {

    private static final long S = 1_000_000_000L;
    private final Circuit circuit = new Circuit(new CircuitSettings(3, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60)));

    @Test
    void opensOnTheNthFailureWithinTheWindow() {
        circuit.failed(0, FailureClass.SERVER_ERROR, null);
        circuit.failed(2 * S, FailureClass.TIMEOUT, null);
        assertThat(circuit.health(2 * S)).isEqualTo(Health.HEALTHY);
        circuit.failed(10 * S, FailureClass.SERVER_ERROR, null);
        assertThat(circuit.health(10 * S)).isEqualTo(Health.OPEN);
        assertThat(circuit.admits(39 * S)).isFalse();
        assertThat(circuit.reopensAt()).isEqualTo(40 * S);
    }

    @Test
    void letsOneProbeThroughWhenHalfOpenAndReopensWhenItFails() {
        for (int i = 0; i < 3; i++) {
            circuit.failed(0, FailureClass.SERVER_ERROR, null);
        }
        assertThat(circuit.health(30 * S)).isEqualTo(Health.HALF_OPEN);
        assertThat(circuit.acquire(30 * S)).isTrue();
        assertThat(circuit.acquire(30 * S)).as("only one probe at a time").isFalse();
        circuit.failed(31 * S, FailureClass.SERVER_ERROR, null);
        assertThat(circuit.health(31 * S)).isEqualTo(Health.OPEN);
        assertThat(circuit.reopensAt()).isEqualTo(61 * S);
        assertThat(circuit.acquire(61 * S)).isTrue();
        circuit.succeeded();
        assertThat(circuit.health(61 * S)).isEqualTo(Health.HEALTHY);
        assertThat(circuit.acquire(61 * S) && circuit.acquire(61 * S)).isTrue();
    }

    @Test
    void aReleasedProbeMayGoAgain() {
        for (int i = 0; i < 3; i++) {
            circuit.failed(0, FailureClass.SERVER_ERROR, null);
        }
        assertThat(circuit.acquire(30 * S)).isTrue();
        circuit.released();
        assertThat(circuit.acquire(30 * S)).isTrue();
    }

    @Test
    void a429WithRetryAfterOpensAtOnceForItsRetryAfterUpToTheCap() {
        circuit.failed(0, FailureClass.RATE_LIMITED, Duration.ofSeconds(7));
        assertThat(circuit.health(6 * S)).isEqualTo(Health.OPEN);
        assertThat(circuit.health(7 * S)).isEqualTo(Health.HALF_OPEN);
        assertThat(circuit.openedBy()).isEqualTo(FailureClass.RATE_LIMITED);
        circuit.succeeded();
        circuit.failed(10 * S, FailureClass.RATE_LIMITED, Duration.ofHours(1));
        assertThat(circuit.reopensAt()).isEqualTo(70 * S);
    }

    @Test
    void zeroFailuresNeverOpensOnFailures() {
        Circuit never = new Circuit(new CircuitSettings(0, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)));
        for (int i = 0; i < 100; i++) {
            never.failed(i, FailureClass.SERVER_ERROR, null);
        }
        assertThat(never.health(100)).isEqualTo(Health.HEALTHY);
    }
}
