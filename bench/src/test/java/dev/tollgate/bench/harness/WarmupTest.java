package dev.tollgate.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmupTest {

    @Test
    void warmupOptionAndProfileDefaults() {
        assertThat(Options.parse(new String[0]).warmupSeconds).isEqualTo(-1);
        assertThat(Options.parse(new String[] {"--warmup", "30"}).warmupSeconds).isEqualTo(30);
        assertThatThrownBy(() -> Options.parse(new String[] {"--warmup", "601"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Scenario.quick().jvmWarmup()).isEqualTo(Duration.ofSeconds(20));
        assertThat(Scenario.full().jvmWarmup()).isEqualTo(Duration.ofSeconds(45));
        // the quick run stays within 3 minutes with three targets and the 20 s gateway warm-up
        assertThat(Scenario.quick().scenarios().stream().mapToLong(s -> s.duration().toSeconds()).sum())
                .isLessThanOrEqualTo(39);
    }

    @Test
    void planSplitsTheWarmupAndTheHeaderDescribesIt() {
        Harness.WarmupPlan p = Harness.WarmupPlan.of(Duration.ofSeconds(20));
        assertThat(p.mixed()).isEqualTo(Duration.ofSeconds(14));
        assertThat(p.burst()).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.settleMax()).isEqualTo(Duration.ofSeconds(2));

        List<Target> targets = List.of(
                new Target(Target.STUB, 1, "/a", "/b", "m", "m", List.of(), false, null),
                new Target(Target.NGINX, 2, "/a", "/b", "m", "m", List.of(), false, null),
                new Target(Target.GATEWAY, 3, "/a", "/b", "m", "h", List.of(), false, null),
                new Target(Target.GATEWAY_S5, 4, "/a", "/b", "m", "h", List.of(), true, null));
        assertThat(targets).extracting(Target::jvm).containsExactly(false, false, true, true);
        assertThat(Harness.warmupSummary(targets, Duration.ofSeconds(2), Duration.ofSeconds(20)))
                .startsWith("gateway, gateway-s5 20 s each (14.0 s mixed")
                .endsWith("; stub, nginx 2 s non-stream + 1 s streams");
        assertThat(Harness.warmupSummary(targets, Duration.ofSeconds(2), Duration.ZERO))
                .isEqualTo("stub, nginx, gateway, gateway-s5 2 s non-stream + 1 s streams");
    }
}
