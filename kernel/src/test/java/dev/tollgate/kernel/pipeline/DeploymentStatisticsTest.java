package dev.tollgate.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.config.CircuitSettings;
import dev.tollgate.kernel.config.RetrySettings;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.routing.Health;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The live statistics a deployment shows strategies, from the attempts that ended on it. */
class DeploymentStatisticsTest {

    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000_000 * MS);
    private final Deployment d = new Deployment("m#0", "m", "p", "up", 1,
            new Deployment.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)),
            new ProviderAdapter() {
                @Override
                public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {}

                @Override
                public void streamChat(ProviderRequest request, ProviderCall call, dev.tollgate.spi.provider.StreamSink sink) {}
            }, null, getClass().getClassLoader(), null, 0, RetrySettings.DEFAULTS,
            new CircuitSettings(2, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(1)), now::get);

    private void attempt(AttemptRecord.Result result, long latencyMs, long ttftMs) {
        long start = now.get();
        d.started();
        now.addAndGet(latencyMs * MS);
        d.ended(result, start, ttftMs < 0 ? -1 : start + ttftMs * MS, now.get());
    }

    @Test
    void aSlowerSampleReplacesTheAverageAtOnceAndFasterOnesPullItDownOverTime() {
        assertThat(d.latencyEwmaMicros()).isEmpty();
        attempt(AttemptRecord.Result.SUCCEEDED, 100, 10);
        assertThat(d.latencyEwmaMicros()).hasValue(100_000);
        assertThat(d.timeToFirstTokenEwmaMicros()).hasValue(10_000);
        attempt(AttemptRecord.Result.SUCCEEDED, 1000, 10);
        assertThat(d.latencyEwmaMicros()).as("peak: a slow answer counts at once").hasValue(1_000_000);
        for (int i = 0; i < 200; i++) {
            attempt(AttemptRecord.Result.SUCCEEDED, 100, 10);
        }
        assertThat(d.latencyEwmaMicros().getAsLong()).isBetween(100_000L, 110_000L);
    }

    @Test
    void anAverageWithoutSamplesDecaysSoTheDeploymentIsProbedAgain() {
        attempt(AttemptRecord.Result.SUCCEEDED, 1000, 10);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(d.latencyEwmaMicros().getAsLong()).isBetween(367_000L, 369_000L);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(d.latencyEwmaMicros().getAsLong()).isLessThan(1_000L);
    }

    @Test
    void countsInFlightAttemptsAndTheErrorRate() {
        d.started();
        d.started();
        assertThat(d.inFlight()).isEqualTo(2);
        d.ended(AttemptRecord.Result.CANCELLED, now.get(), -1, now.get());
        d.ended(AttemptRecord.Result.CANCELLED, now.get(), -1, now.get());
        assertThat(d.inFlight()).isZero();
        attempt(AttemptRecord.Result.FAILED, 5, -1);
        assertThat(d.errorRate()).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        attempt(AttemptRecord.Result.SUCCEEDED, 5, -1);
        assertThat(d.errorRate()).isEqualTo(0.09, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void healthFollowsTheCircuitOnTheDeploymentsClock() {
        GatewayException boom = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 500, "x").message("x").build();
        d.failed(boom, now.get());
        d.failed(boom, now.get());
        assertThat(d.health()).isEqualTo(Health.OPEN);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(d.health()).isEqualTo(Health.HALF_OPEN);
        GatewayException bad = GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "x").message("x").build();
        d.failed(bad, now.get());
        assertThat(d.health()).as("a refusal proves the deployment answers").isEqualTo(Health.HEALTHY);
    }

    @Test
    void backoffDoublesWithEqualJitterAndHonoursRetryAfterUpToItsCap() {
        RetrySettings r = new RetrySettings(5, Duration.ofMillis(100), Duration.ofMillis(350), Duration.ofSeconds(10));
        GatewayException plain = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 500, "x").message("x").build();
        for (int i = 0; i < 200; i++) {
            assertThat(Lifecycle.backoffNanos(r, 1, plain)).isBetween(50 * MS, 100 * MS);
            assertThat(Lifecycle.backoffNanos(r, 2, plain)).isBetween(100 * MS, 200 * MS);
            assertThat(Lifecycle.backoffNanos(r, 4, plain)).isBetween(175 * MS, 350 * MS);
        }
        GatewayException after = GatewayException.builder(ErrorType.RATE_LIMITED, 429, "x").retryAfter(Duration.ofSeconds(3)).build();
        assertThat(Lifecycle.backoffNanos(r, 1, after)).isEqualTo(3000 * MS);
        GatewayException tooLong = GatewayException.builder(ErrorType.RATE_LIMITED, 429, "x").retryAfter(Duration.ofSeconds(11)).build();
        assertThat(Lifecycle.backoffNanos(r, 1, tooLong)).isEqualTo(-1);
    }

    @Test
    void rateLimitHeadersWithNothingRemainingTakeItOutUntilTheLaterResetAndRemainingLeftBringsItBack() {
        d.observeRateLimits(dev.tollgate.spi.http.Headers.builder()
                .add("x-ratelimit-remaining-requests", "0").add("x-ratelimit-reset-requests", "1m30s")
                .add("x-ratelimit-remaining-tokens", "0").add("x-ratelimit-reset-tokens", "2s").build());
        assertThat(d.health()).isEqualTo(Health.OPEN);
        assertThat(d.circuit().openedBy()).isEqualTo(FailureClass.RATE_LIMITED);
        now.addAndGet(59_999 * MS);
        assertThat(d.circuit().admits(now.get())).as("capped at max_cooldown (1 min)").isFalse();
        now.addAndGet(MS);
        assertThat(d.health()).isEqualTo(Health.HEALTHY);

        d.observeRateLimits(dev.tollgate.spi.http.Headers.of("x-ratelimit-remaining-tokens", "0"));
        assertThat(d.health()).as("no reset header: a second").isEqualTo(Health.OPEN);
        attempt(AttemptRecord.Result.SUCCEEDED, 1, -1);
        assertThat(d.health()).as("a success does not end it; the upstream's counts do").isEqualTo(Health.OPEN);
        d.observeRateLimits(dev.tollgate.spi.http.Headers.builder()
                .add("x-ratelimit-remaining-requests", "3").add("x-ratelimit-remaining-tokens", "100").build());
        assertThat(d.health()).isEqualTo(Health.HEALTHY);

        d.observeRateLimits(dev.tollgate.spi.http.Headers.of("x-ratelimit-remaining-requests", "lots"));
        d.observeRateLimits(dev.tollgate.spi.http.Headers.EMPTY);
        assertThat(d.health()).as("unreadable or absent headers change nothing").isEqualTo(Health.HEALTHY);
    }

    @Test
    void resetDurationsInOpenAisFormat() {
        assertThat(Deployment.parseReset("20ms")).isEqualTo(Duration.ofMillis(20));
        assertThat(Deployment.parseReset("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(Deployment.parseReset("6m0s")).isEqualTo(Duration.ofMinutes(6));
        assertThat(Deployment.parseReset("1h2m3.5s")).isEqualTo(Duration.ofMillis(3_723_500));
        assertThat(Deployment.parseReset("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(Deployment.parseReset("soon")).isEqualTo(Deployment.DEFAULT_RATE_LIMIT_RESET);
        assertThat(Deployment.parseReset("5 s")).isEqualTo(Deployment.DEFAULT_RATE_LIMIT_RESET);
        assertThat(Deployment.parseReset("9".repeat(40))).isEqualTo(Deployment.DEFAULT_RATE_LIMIT_RESET);
    }
}
