package dev.tollgate.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tollgate.kernel.config.CircuitSettings;
import dev.tollgate.kernel.config.RetrySettings;
import dev.tollgate.kernel.state.InProcessStateBackend;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.routing.Health;
import dev.tollgate.spi.testkit.ManualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances' deployments on one shared state backend: a circuit one instance opens
 * opens on the other until the same wall-clock time; bad messages change nothing.
 */
class CircuitSharingTest {

    private static final CircuitSettings SETTINGS = new CircuitSettings(2, Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofMinutes(1));

    private final ManualTime time = new ManualTime();
    private final InProcessStateBackend shared = new InProcessStateBackend(Runnable::run, time);
    private final List<Deployment> first = List.of(deployment("m#0", SETTINGS), deployment("m#1", SETTINGS));
    private final List<Deployment> second = List.of(deployment("m#0", SETTINGS), deployment("m#1", SETTINGS));
    private final CircuitSharing a = CircuitSharing.start(shared, first, time, time.clock());
    private final CircuitSharing b = CircuitSharing.start(shared, second, time, time.clock());
    private final List<String> published = new ArrayList<>();
    private final AutoCloseable spy = shared.subscribe(CircuitSharing.CHANNEL, published::add);

    @AfterEach
    void close() throws Exception {
        spy.close();
        a.close();
        b.close();
        shared.close();
    }

    private Deployment deployment(String id, CircuitSettings circuit) {
        return new Deployment(id, "m", "p", "up", 1,
                new Deployment.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)),
                new ProviderAdapter() {
                    @Override
                    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {}

                    @Override
                    public void streamChat(ProviderRequest request, ProviderCall call, dev.tollgate.spi.provider.StreamSink sink) {}
                }, null, CircuitSharingTest.class.getClassLoader(), null, 0, RetrySettings.DEFAULTS, circuit, time);
    }

    private void fail(Deployment d) {
        d.failed(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "x").message("x").build(), time.nanoTime());
    }

    @Test
    void aCircuitOpenedOnOneInstanceOpensOnTheOtherUntilTheSameTime() {
        fail(first.get(0));
        assertThat(second.get(0).health()).as("one failure opens nothing").isEqualTo(Health.HEALTHY);
        fail(first.get(0));

        assertThat(first.get(0).health()).isEqualTo(Health.OPEN);
        assertThat(second.get(0).health()).isEqualTo(Health.OPEN);
        assertThat(second.get(1).health()).as("only that deployment").isEqualTo(Health.HEALTHY);
        assertThat(published).singleElement().asString().endsWith("|m#0").doesNotContain("x");
        assertThat(b.applied()).isEqualTo(1);
        assertThat(a.applied()).as("its own message changes nothing on the sender").isZero();

        time.advance(Duration.ofMillis(4_999));
        assertThat(second.get(0).health()).isEqualTo(Health.OPEN);
        time.advance(Duration.ofMillis(1));
        assertThat(second.get(0).health()).as("half-open at the same time as the sender").isEqualTo(Health.HALF_OPEN);
        assertThat(first.get(0).health()).isEqualTo(Health.HALF_OPEN);
    }

    @Test
    void aRateLimitOpeningCarriesItsRetryAfterAndTheReceiverDoesNotEchoIt() {
        first.get(1).failed(GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded").message("slow")
                .retryAfter(Duration.ofSeconds(20)).build(), time.nanoTime());

        assertThat(second.get(1).health()).isEqualTo(Health.OPEN);
        assertThat(second.get(1).circuit().openedBy()).isEqualTo(FailureClass.RATE_LIMITED);
        assertThat(published).as("the receiver opened without publishing").hasSize(1);
        time.advance(Duration.ofSeconds(20));
        assertThat(second.get(1).health()).isEqualTo(Health.HALF_OPEN);
    }

    @Test
    void badMessagesAreIgnoredAndNeverThrow() {
        long until = time.clock().millis() + 10_000;
        List<String> bad = List.of("", "garbage", "1|x|SERVER_ERROR|other|m#0", "1|" + until + "|NOPE|other|m#0",
                "2|" + until + "|SERVER_ERROR|other|m#0", "1|" + until + "|SERVER_ERROR|other|unknown#9",
                "1|" + (until - 20_000) + "|SERVER_ERROR|other|m#0", "1|" + until + "|SERVER_ERROR|other|m#0" + "y".repeat(600),
                "1|" + Long.MAX_VALUE + "|SERVER_ERROR|other|");
        for (String m : bad) {
            assertThatCode(() -> shared.publish(CircuitSharing.CHANNEL, m)).doesNotThrowAnyException();
        }
        b.receive(null);

        assertThat(second).allMatch(d -> d.health() == Health.HEALTHY);
        assertThat(b.ignored()).isEqualTo(bad.size() + 1);
        assertThat(b.applied()).isZero();
    }

    @Test
    void anOpeningFromElsewhereIsCappedAtMaxCooldown() {
        shared.publish(CircuitSharing.CHANNEL, "1|" + (time.clock().millis() + 3_600_000) + "|SERVER_ERROR|other|m#0");

        assertThat(first.get(0).health()).isEqualTo(Health.OPEN);
        time.advance(Duration.ofMinutes(1));
        assertThat(first.get(0).health()).isEqualTo(Health.HALF_OPEN);
    }

    @Test
    void aCircuitThatNeverOpensIgnoresOpeningsFromElsewhere() {
        Deployment alone = deployment("solo#0", CircuitSettings.NO_ALTERNATIVE);
        try (CircuitSharing c = CircuitSharing.start(shared, List.of(alone), time, time.clock())) {
            shared.publish(CircuitSharing.CHANNEL, "1|" + (time.clock().millis() + 10_000) + "|SERVER_ERROR|other|solo#0");
            assertThat(alone.health()).isEqualTo(Health.HEALTHY);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
