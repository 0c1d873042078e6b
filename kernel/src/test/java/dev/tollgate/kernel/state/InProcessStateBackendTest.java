package dev.tollgate.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.ReservationResult;
import dev.tollgate.spi.state.TokenBucketResult;
import dev.tollgate.spi.testkit.ManualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What only the in-process backend does (expiry on a manual ticker, leases, windows); the shared contract is in InProcessStateBackendContractTest. */
class InProcessStateBackendTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final ManualTime time = new ManualTime();
    private final InProcessStateBackend state = new InProcessStateBackend(Runnable::run, time);

    private ReservationResult reserve(Reservation r) {
        return state.reserve(r).toCompletableFuture().join();
    }

    private ReservationResult reserve(String id, String key, long amount, long limit) {
        return reserve(Reservation.builder(id, LEASE).hold(key, amount, limit, MINUTE).build());
    }

    private long get(String key) {
        return state.get(key).toCompletableFuture().join();
    }

    private void settle(String id, Map<String, Long> actual) {
        state.settle(id, actual).toCompletableFuture().join();
    }

    @Test
    void reservationsNeverOvershootTheLimitUnderConcurrency() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            pool.execute(() -> {
                long v = state.incrementIfWithin("budget", 7, 700, MINUTE).toCompletableFuture().join();
                if (v >= 0) {
                    granted.incrementAndGet();
                }
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(granted.get()).isEqualTo(100);
        assertThat(get("budget")).isEqualTo(700);
    }

    @Test
    void countersExpireAfterTheirTtl() {
        assertThat(state.increment("c", 5, Duration.ofMillis(50)).toCompletableFuture().join()).isEqualTo(5);
        time.advance(Duration.ofMillis(49));
        assertThat(state.increment("c", 5, Duration.ofMillis(50)).toCompletableFuture().join()).isEqualTo(10);
        time.advance(Duration.ofMillis(1));
        assertThat(get("c")).isZero();
        assertThat(state.increment("c", 1, Duration.ofMillis(50)).toCompletableFuture().join()).isEqualTo(1);
    }

    @Test
    void aTokenBucketAllowsItsCapacityThenSaysWhenToRetry() {
        for (int i = 0; i < 3; i++) {
            assertThat(state.takeTokens("rpm", 3, 1.0, 1).toCompletableFuture().join().allowed()).isTrue();
        }
        TokenBucketResult denied = state.takeTokens("rpm", 3, 1.0, 1).toCompletableFuture().join();
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        time.advance(Duration.ofSeconds(1));
        assertThat(state.takeTokens("rpm", 3, 1.0, 1).toCompletableFuture().join().allowed()).isTrue();
    }

    @Test
    void publishReachesSubscribersUntilTheyUnsubscribe() throws Exception {
        StringBuilder got = new StringBuilder();
        AutoCloseable sub = state.subscribe("keys", got::append);
        state.publish("keys", "a");
        sub.close();
        state.publish("keys", "b");
        assertThat(got.toString()).isEqualTo("a");
    }










    @Test
    void aPassedLeaseFreesItsHoldsAndCommitsNothing() {
        reserve("crashed", "k", 100, 100);
        assertThat(reserve("r2", "k", 1, 100).isGranted()).isFalse();

        time.advance(LEASE.minusNanos(1));
        assertThat(reserve("r3", "k", 1, 100).isGranted()).as("still leased").isFalse();
        time.advance(Duration.ofNanos(1));

        assertThat(reserve("r4", "k", 100, 100).isGranted()).isTrue();
        assertThat(get("k")).isZero();
    }

    @Test
    void aSettleAfterTheLeaseStillCommitsInTheHoldsWindow() {
        reserve(Reservation.builder("slow", LEASE).hold("k", 50, 100, Duration.ofSeconds(35)).build());
        time.advance(Duration.ofSeconds(40));

        settle("slow", Map.of("k", 40L));

        assertThat(get("k")).as("a new window, since the first ended at 35 s").isEqualTo(40);
        time.advance(Duration.ofSeconds(35));
        assertThat(get("k")).as("the new window lasts the hold's window").isZero();
    }


    @Test
    void aRememberedReservationIsForgottenTwiceItsLeaseAfterItWasGranted() {
        reserve("r", "k", 10, 100);
        time.advance(LEASE.multipliedBy(2).minusNanos(1));
        assertThatThrownBy(() -> reserve("r", "k", 1, 100)).hasCauseInstanceOf(IllegalStateException.class);

        time.advance(Duration.ofNanos(1));

        assertThat(reserve("r", "k", 1, 100).isGranted()).isTrue();
    }

    @Test
    void aWindowEndsOnTimeAndADenialSaysWhen() {
        reserve("r", "k", 60, 100);
        settle("r", Map.of("k", 60L));
        time.advance(Duration.ofSeconds(20));

        ReservationResult denied = reserve("r2", "k", 50, 100);
        assertThat(denied.isGranted()).isFalse();
        assertThat(denied.current()).isEqualTo(60);
        assertThat(denied.resetsIn()).contains(Duration.ofSeconds(40));

        time.advance(Duration.ofSeconds(40));
        assertThat(reserve("r3", "k", 100, 100).isGranted()).isTrue();
    }


    @Test
    void adjustCorrectsACounterWithinItsWindowAndNeverBelowZero() {
        assertThat(state.adjust("k", 10, MINUTE).toCompletableFuture().join()).isEqualTo(10);
        time.advance(Duration.ofSeconds(30));
        assertThat(state.adjust("k", -3, MINUTE).toCompletableFuture().join()).isEqualTo(7);
        assertThat(state.adjust("k", -20, MINUTE).toCompletableFuture().join()).isZero();
        assertThat(state.adjust("k", 4, MINUTE).toCompletableFuture().join()).isEqualTo(4);
        time.advance(Duration.ofSeconds(30));
        assertThat(get("k")).as("the window started with the first adjust").isZero();
        assertThat(state.adjust("k", -5, MINUTE).toCompletableFuture().join()).isZero();
        assertThat(state.adjust("k", 2, MINUTE).toCompletableFuture().join()).isEqualTo(2);
    }

    @Test
    void adjustCountsAgainstLaterReservations() {
        reserve("r", "k", 50, 100);
        settle("r", Map.of("k", 50L));

        state.adjust("k", 30, MINUTE);

        assertThat(reserve("r2", "k", 21, 100).current()).isEqualTo(80);
        assertThat(reserve("r3", "k", 20, 100).isGranted()).isTrue();
    }

    @Test
    void theSweepDropsEndedReservationsAndCounters() {
        for (int i = 0; i < 1000; i++) {
            reserve(Reservation.builder("r" + i, Duration.ofSeconds(1)).hold("k" + i, 1, 10, Duration.ofSeconds(1)).build());
        }
        assertThat(state.rememberedReservations()).isEqualTo(1000);
        assertThat(state.storedCounters()).isEqualTo(1000);

        time.advance(Duration.ofSeconds(2));
        state.sweep();

        assertThat(state.rememberedReservations()).isZero();
        assertThat(state.storedCounters()).isZero();
    }
}
