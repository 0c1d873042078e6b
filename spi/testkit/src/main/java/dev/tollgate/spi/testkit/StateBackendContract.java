package dev.tollgate.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.ReservationResult;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.TokenBucketResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateBackend} must do, written against the SPI only: a backend's test
 * extends it and says how to open an instance on the shared state and how to let time pass. Keys
 * and reservation ids are unique per test, so instances may share one store across tests. Cases
 * that need time to pass call {@link #elapse} with {@link #shortTime()} and are kept few, since a
 * server's clock (Redis) cannot be faked; a backend on a {@link ManualTime} ticker advances it.
 * Assertions use AssertJ, which the plugin's tests bring (the testkit has it as {@code provided}).
 */
public abstract class StateBackendContract {

    protected static final Duration MINUTE = Duration.ofMinutes(1);
    protected static final Duration LEASE = Duration.ofSeconds(30);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<StateBackend> opened = new ArrayList<>();
    protected StateBackend state;

    /** Another instance on the same shared state, as a second gateway would have. */
    protected abstract StateBackend open() throws Exception;

    /** Returns once at least {@code d} has passed on the backend's clock. */
    protected abstract void elapse(Duration d) throws Exception;

    /** A window or lease short enough for {@link #elapse}. */
    protected Duration shortTime() {
        return Duration.ofSeconds(1);
    }

    @BeforeEach
    void openFirst() throws Exception {
        state = instance();
    }

    @AfterEach
    void closeAll() {
        opened.forEach(StateBackend::close);
    }

    protected final StateBackend instance() throws Exception {
        StateBackend b = open();
        opened.add(b);
        return b;
    }

    /** A key or id unique to this test. */
    protected final String k(String name) {
        return run + ":" + name;
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private ReservationResult reserve(Reservation r) {
        return join(state.reserve(r));
    }

    private ReservationResult reserve(String id, String key, long amount, long limit) {
        return reserve(Reservation.builder(k(id), LEASE).hold(k(key), amount, limit, MINUTE).build());
    }

    private long get(String key) {
        return join(state.get(k(key)));
    }

    private void settle(String id, Map<String, Long> actual) {
        Map<String, Long> byKey = new java.util.LinkedHashMap<>();
        actual.forEach((key, v) -> byKey.put(k(key), v));
        join(state.settle(k(id), byKey));
    }

    @Test
    void anAbsentCounterReadsZeroAndIncrementsAdd() {
        assertThat(get("c")).isZero();
        assertThat(join(state.increment(k("c"), 5, MINUTE))).isEqualTo(5);
        assertThat(join(state.increment(k("c"), 3, MINUTE))).isEqualTo(8);
        assertThat(get("c")).isEqualTo(8);
    }

    @Test
    void incrementIfWithinStopsAtTheLimitAndChangesNothingWhenRefused() {
        assertThat(join(state.incrementIfWithin(k("c"), 7, 10, MINUTE))).isEqualTo(7);
        assertThat(join(state.incrementIfWithin(k("c"), 4, 10, MINUTE))).isEqualTo(-1);
        assertThat(join(state.incrementIfWithin(k("c"), 3, 10, MINUTE))).isEqualTo(10);
        assertThat(get("c")).isEqualTo(10);
        assertThat(join(state.incrementIfWithin(k("fresh"), 11, 10, MINUTE))).isEqualTo(-1);
        assertThat(get("fresh")).isZero();
    }

    @Test
    void concurrentIncrementsIfWithinNeverOvershoot() {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(state.incrementIfWithin(k("budget"), 7, 700, MINUTE).toCompletableFuture());
        }
        assertThat(all.stream().map(CompletableFuture::join).filter(v -> v >= 0).count()).isEqualTo(100);
        assertThat(get("budget")).isEqualTo(700);
    }

    @Test
    void aReservationOverThreeKeysIsGrantedWholeOrNotAtAll() {
        join(state.increment(k("b"), 90, MINUTE));
        Reservation r = Reservation.builder(k("r1"), LEASE)
                .hold(k("a"), 10, 100, MINUTE)
                .hold(k("b"), 20, 100, MINUTE)
                .hold(k("c"), 5, 100, MINUTE)
                .build();

        ReservationResult denied = reserve(r);

        assertThat(denied.isGranted()).isFalse();
        assertThat(denied.holdIndex()).isEqualTo(1);
        assertThat(denied.key()).isEqualTo(k("b"));
        assertThat(denied.current()).isEqualTo(90);
        assertThat(denied.limit()).isEqualTo(100);
        assertThat(denied.resetsIn()).hasValueSatisfying(d -> assertThat(d).isPositive().isLessThanOrEqualTo(MINUTE));
        assertThat(reserve("full-a", "a", 100, 100).isGranted()).as("nothing of r1 held on a").isTrue();
        assertThat(reserve("full-c", "c", 100, 100).isGranted()).as("nothing of r1 held on c").isTrue();

        join(state.release(k("full-a")));
        join(state.release(k("full-c")));
        assertThat(reserve(Reservation.builder(k("r1"), LEASE).hold(k("a"), 10, 100, MINUTE).hold(k("b"), 10, 100, MINUTE)
                .hold(k("c"), 5, 100, MINUTE).build()).isGranted()).as("a denied id can be used again").isTrue();
        assertThat(reserve("more-b", "b", 1, 100).current()).isEqualTo(100);
    }

    @Test
    void exactlyAsManyConcurrentReservationsAreGrantedAsTheTightestLimitAllows() {
        List<CompletableFuture<ReservationResult>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(state.reserve(Reservation.builder(k("req-" + i), LEASE)
                    .hold(k("user-" + (i % 5)), 10, 50, MINUTE)
                    .hold(k("team"), 10, 200, MINUTE)
                    .build()).toCompletableFuture());
        }
        assertThat(all.stream().map(CompletableFuture::join).filter(ReservationResult::isGranted).count()).isEqualTo(20);
        ReservationResult teamFull = reserve("probe", "team", 1, 200);
        assertThat(teamFull.isGranted()).isFalse();
        assertThat(teamFull.current()).isEqualTo(200);
        long usersReserved = 0;
        for (int u = 0; u < 5; u++) {
            usersReserved += reserve("probe-" + u, "user-" + u, 51, 50).current();
        }
        assertThat(usersReserved).as("each grant held on its user and the team together").isEqualTo(200);
    }

    @Test
    void reservationsOfAnotherInstanceCount() throws Exception {
        StateBackend other = instance();
        assertThat(join(other.reserve(Reservation.builder(k("there"), LEASE).hold(k("k"), 60, 100, MINUTE).build())).isGranted()).isTrue();

        assertThat(reserve("here", "k", 41, 100).current()).isEqualTo(60);
        join(other.settle(k("there"), Map.of(k("k"), 50L)));
        assertThat(get("k")).isEqualTo(50);
    }

    @Test
    void settlingBelowTheHeldAmountFreesTheDifference() {
        assertThat(reserve("r", "k", 80, 100).isGranted()).isTrue();
        assertThat(reserve("r2", "k", 30, 100).isGranted()).isFalse();

        settle("r", Map.of("k", 30L));

        assertThat(get("k")).isEqualTo(30);
        assertThat(reserve("r3", "k", 70, 100).isGranted()).isTrue();
        assertThat(reserve("r4", "k", 1, 100).current()).isEqualTo(100);
    }

    @Test
    void settlingAboveTheHeldAmountCommitsTheActualEvenPastTheLimit() {
        assertThat(reserve("r", "k", 10, 100).isGranted()).isTrue();

        settle("r", Map.of("k", 150L));

        assertThat(get("k")).isEqualTo(150);
        ReservationResult next = reserve("r2", "k", 0, 100);
        assertThat(next.isGranted()).isFalse();
        assertThat(next.current()).isEqualTo(150);
    }

    @Test
    void aHoldLeftOutOfTheSettleCommitsZero() {
        reserve(Reservation.builder(k("r"), LEASE).hold(k("a"), 10, 100, MINUTE).hold(k("b"), 10, 100, MINUTE).build());

        settle("r", Map.of("a", 4L));

        assertThat(get("a")).isEqualTo(4);
        assertThat(get("b")).isZero();
        assertThat(reserve("r2", "b", 100, 100).isGranted()).isTrue();
    }

    @Test
    void settlingAKeyTheReservationDoesNotHoldFailsAndChangesNothing() {
        reserve("r", "a", 10, 100);

        assertThatThrownBy(() -> settle("r", Map.of("a", 5L, "z", 1L)))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no key " + k("z"));

        assertThat(get("a")).isZero();
        assertThat(reserve("r2", "a", 91, 100).current()).as("r is still held").isEqualTo(10);
    }

    @Test
    void aNegativeActualAmountFails() {
        reserve("r", "a", 10, 100);

        assertThatThrownBy(() -> settle("r", Map.of("a", -1L))).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(reserve("r2", "a", 91, 100).current()).as("r is still held").isEqualTo(10);
    }

    @Test
    void aSecondSettleCountsAgainOnTheLiveCounter() {
        reserve("r", "k", 10, 100);
        settle("r", Map.of("k", 10L));

        settle("r", Map.of("k", 10L));

        assertThat(get("k")).isEqualTo(20);
    }

    @Test
    void releasingCommitsNothingAndFreesTheHolds() {
        reserve("r", "k", 60, 100);

        join(state.release(k("r")));

        assertThat(get("k")).isZero();
        assertThat(reserve("r2", "k", 100, 100).isGranted()).isTrue();
        assertThat(reserve("r", "other", 1, 100).isGranted()).as("a released id is free again").isTrue();
    }

    @Test
    void releasingAnUnknownIdIsANoOp() {
        reserve("r", "k", 60, 100);

        join(state.release(k("nobody")));

        assertThat(reserve("r2", "k", 41, 100).current()).isEqualTo(60);
    }

    @Test
    void reservingAnIdThatIsInUseFails() {
        reserve("r", "k", 1, 100);

        assertThatThrownBy(() -> reserve("r", "other", 1, 100))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reservation id " + k("r") + " is already in use");
        assertThat(reserve("probe", "other", 100, 100).isGranted()).as("the refused reservation held nothing").isTrue();
    }

    @Test
    void aSettleOfAnUnknownIdAddsToLiveCountersOnly() {
        join(state.increment(k("live"), 10, MINUTE));

        settle("never-reserved", Map.of("live", 5L, "absent", 7L));

        assertThat(get("live")).isEqualTo(15);
        assertThat(get("absent")).isZero();
    }

    @Test
    void aDenialOnAKeyWithNothingUsedHasNoReset() {
        ReservationResult denied = reserve("r", "k", 101, 100);

        assertThat(denied.current()).isZero();
        assertThat(denied.resetsIn()).isEmpty();
    }

    @Test
    void aGrantedReservationStartsTheWindowOfItsKey() {
        reserve("r", "k", 1, 100);

        ReservationResult denied = reserve("r2", "k", 100, 100);

        assertThat(denied.current()).isEqualTo(1);
        assertThat(denied.resetsIn()).as("the counter of 0 the reservation started").isPresent();
    }

    @Test
    void adjustCorrectsACounterAndNeverBelowZero() {
        assertThat(join(state.adjust(k("k"), 10, MINUTE))).isEqualTo(10);
        assertThat(join(state.adjust(k("k"), -3, MINUTE))).isEqualTo(7);
        assertThat(join(state.adjust(k("k"), -20, MINUTE))).isZero();
        assertThat(join(state.adjust(k("k"), 4, MINUTE))).isEqualTo(4);
        assertThat(join(state.adjust(k("absent"), -5, MINUTE))).isZero();
        ReservationResult probe = reserve("probe", "absent", 101, 100);
        assertThat(probe.resetsIn()).as("a non-positive adjust starts no window").isEmpty();
    }

    @Test
    void adjustCountsAgainstLaterReservations() {
        reserve("r", "k", 50, 100);
        settle("r", Map.of("k", 50L));

        join(state.adjust(k("k"), 30, MINUTE));

        assertThat(reserve("r2", "k", 21, 100).current()).isEqualTo(80);
        assertThat(reserve("r3", "k", 20, 100).isGranted()).isTrue();
    }

    @Test
    void aTokenBucketAllowsItsCapacityThenSaysWhenToRetry() {
        for (int i = 0; i < 3; i++) {
            TokenBucketResult taken = join(state.takeTokens(k("rpm"), 3, 1.0, 1));
            assertThat(taken.allowed()).isTrue();
            assertThat(taken.remaining()).isEqualTo(2 - i);
            assertThat(taken.retryAfter()).isZero();
        }
        TokenBucketResult denied = join(state.takeTokens(k("rpm"), 3, 1.0, 1));
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isZero();
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(join(state.takeTokens(k("never"), 3, 0, 4)).retryAfter()).as("a bucket that cannot refill")
                .isGreaterThan(Duration.ofDays(365));
    }

    @Test
    void publishReachesSubscribersOfEveryInstanceUntilTheyUnsubscribe() throws Exception {
        StateBackend other = instance();
        List<String> here = new CopyOnWriteArrayList<>();
        List<String> there = new CopyOnWriteArrayList<>();
        AutoCloseable subHere = state.subscribe(k("keys"), here::add);
        AutoCloseable subThere = other.subscribe(k("keys"), there::add);
        publishUntilSeen(k("keys"), "a", here, there);

        subHere.close();
        join(state.publish(k("keys"), "b"));
        await(() -> there.contains("b"));

        assertThat(here).doesNotContain("b");
        subThere.close();
    }

    // ---- cases where time passes: few, and on shortTime() ----

    @Test
    void aPassedLeaseFreesItsHoldsAndCommitsNothing() throws Exception {
        Duration lease = shortTime();
        reserve(Reservation.builder(k("crashed"), lease).hold(k("k"), 100, 130, MINUTE).build());
        reserve("long-lease", "k", 30, 130);
        assertThat(reserve("r2", "k", 1, 130).isGranted()).as("still leased").isFalse();

        elapse(lease);

        assertThat(reserve("r4", "k", 100, 130).isGranted()).isTrue();
        assertThat(reserve("r5", "k", 1, 130).current()).as("the longer lease still holds its 30").isEqualTo(130);
        assertThat(get("k")).isZero();
    }

    @Test
    void aCounterReadsZeroOnceItsWindowHasPassed() throws Exception {
        Duration window = shortTime();
        assertThat(join(state.increment(k("c"), 5, window))).isEqualTo(5);
        assertThat(join(state.increment(k("c"), 5, window))).as("within the window").isEqualTo(10);

        elapse(window);

        assertThat(get("c")).isZero();
        assertThat(join(state.increment(k("c"), 1, window))).as("a new window").isEqualTo(1);
    }

    @Test
    void aReservationIsRememberedUntilTwiceItsLeaseAndThenForgotten() throws Exception {
        Duration lease = shortTime();
        reserve(Reservation.builder(k("r"), lease).hold(k("k"), 10, 100, MINUTE).build());
        elapse(lease);
        assertThatThrownBy(() -> reserve(Reservation.builder(k("r"), lease).hold(k("k"), 1, 100, MINUTE).build()))
                .as("remembered").hasCauseInstanceOf(IllegalStateException.class);

        elapse(lease);

        assertThat(reserve(Reservation.builder(k("r"), lease).hold(k("k"), 1, 100, MINUTE).build()).isGranted()).isTrue();
    }

    @Test
    void aTokenBucketRefillsWithTime() throws Exception {
        double perSecond = 1.0 / shortTime().toMillis() * 1000;
        for (int i = 0; i < 2; i++) {
            assertThat(join(state.takeTokens(k("b"), 2, perSecond, 1)).allowed()).isTrue();
        }
        assertThat(join(state.takeTokens(k("b"), 2, perSecond, 1)).allowed()).isFalse();

        elapse(shortTime());

        assertThat(join(state.takeTokens(k("b"), 2, perSecond, 1)).allowed()).isTrue();
    }

    private void publishUntilSeen(String channel, String message, List<String> a, List<String> b) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(a.contains(message) && b.contains(message))) {
            assertThat(System.nanoTime() < deadline).as("'" + message + "' reached every subscriber").isTrue();
            join(state.publish(channel, message));
            Thread.sleep(20);
        }
    }

    /** Waits (bounded) for an asynchronous delivery. */
    protected static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("condition met within 10 s").isTrue();
            Thread.sleep(10);
        }
    }
}
