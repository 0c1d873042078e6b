package dev.tollgate.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.StateBackend;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What only a shared, remote store shows: several gateways on one Redis, outages, crashed instances. */
class RedisStateBackendTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.launch();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Test
    void twoGatewaysOnOneRedisGrantExactlyTheLimitBetweenThem() {
        try (StateBackend a = TestBackends.open(redis.uri()); StateBackend b = TestBackends.open(redis.uri())) {
            List<CompletableFuture<Long>> increments = new ArrayList<>();
            List<CompletableFuture<Boolean>> reservations = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                StateBackend gateway = i % 2 == 0 ? a : b;
                increments.add(gateway.incrementIfWithin("shared-rpm", 1, 10, MINUTE).toCompletableFuture());
                reservations.add(gateway.reserve(Reservation.builder("two-gw-" + i, MINUTE).hold("shared-concurrency", 1, 10, MINUTE)
                        .build()).toCompletableFuture().thenApply(r -> r.isGranted()));
            }

            assertThat(increments.stream().map(CompletableFuture::join).filter(v -> v >= 0).count()).isEqualTo(10);
            assertThat(reservations.stream().map(CompletableFuture::join).filter(g -> g).count()).isEqualTo(10);
            assertThat(b.get("shared-rpm").toCompletableFuture().join()).isEqualTo(10);
        }
    }

    @Test
    void whileRedisIsDownOperationsFailFastWithoutPilingUpAndRecoverWhenItReturns() throws Exception {
        try (StateBackend gateway = TestBackends.open(redis.uri()); StateBackend other = TestBackends.open(redis.uri())) {
            List<String> notified = new CopyOnWriteArrayList<>();
            gateway.subscribe("teams", notified::add);
            publishUntil(other, "before", notified);
            assertThat(gateway.increment("outage", 1, MINUTE).toCompletableFuture().join()).isEqualTo(1);
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

            redis.stop();
            long started = System.nanoTime();
            List<CompletableFuture<?>> attempts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                attempts.add(gateway.incrementIfWithin("outage", 1, 1000, MINUTE).toCompletableFuture());
                attempts.add(gateway.reserve(Reservation.builder("outage-" + i, MINUTE).hold("outage", 1, 1000, MINUTE).build())
                        .toCompletableFuture());
            }
            for (CompletableFuture<?> attempt : attempts) {
                assertThatThrownBy(attempt::join).isInstanceOf(CompletionException.class).cause()
                        .isInstanceOf(GatewayException.class)
                        .satisfies(e -> assertThat(((GatewayException) e).status()).isEqualTo(503))
                        .hasMessageStartingWith("shared state (Redis)")
                        .hasMessageNotContaining("127.0.0.1").hasMessageNotContaining(Integer.toString(redis.port()));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("every stage failed, none waited for Redis")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).as("no thread per waiting command")
                    .isLessThanOrEqualTo(threadsBefore + 2);

            List<String> subscribedWhileDown = new CopyOnWriteArrayList<>();
            gateway.subscribe("keys", subscribedWhileDown::add);

            redis.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            Long value = null;
            while (value == null) {
                assertThat(System.nanoTime()).as("the connection came back within 15 s").isLessThan(deadline);
                try {
                    value = gateway.increment("after", 1, MINUTE).toCompletableFuture().join();
                } catch (CompletionException stillDown) {
                    Thread.sleep(50);
                }
            }
            assertThat(value).isEqualTo(1);
            publishUntil(other, "after", notified);
            publishUntil(other, "keys", "late", subscribedWhileDown);
        }
    }

    @Test
    void aRedisThatStopsAnsweringFailsEachCommandAfterTheTimeout() throws Exception {
        try (StateBackend gateway = TestBackends.open(redis.uri(), Map.of("command_timeout", "250ms"))) {
            assertThat(gateway.increment("frozen", 1, MINUTE).toCompletableFuture().join()).isEqualTo(1);

            redis.freeze();
            try {
                allTimeOut(gateway, 200);
                int threadsAfterFirstRound = ManagementFactory.getThreadMXBean().getThreadCount();
                allTimeOut(gateway, 200);
                assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).as("no thread per waiting command")
                        .isLessThanOrEqualTo(threadsAfterFirstRound + 1);
            } finally {
                redis.thaw();
            }

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            Long value = null;
            while (value == null) {
                assertThat(System.nanoTime()).as("answers again within 15 s").isLessThan(deadline);
                try {
                    value = gateway.get("frozen").toCompletableFuture().join();
                } catch (CompletionException stillCatchingUp) {
                    Thread.sleep(50);
                }
            }
            assertThat(value).as("timed-out commands may still have run late, never more than were sent").isBetween(1L, 401L);
        }
    }

    private static void allTimeOut(StateBackend gateway, int commands) {
        long started = System.nanoTime();
        List<CompletableFuture<?>> attempts = new ArrayList<>();
        for (int i = 0; i < commands; i++) {
            attempts.add(gateway.incrementIfWithin("frozen", 1, 1000, MINUTE).toCompletableFuture());
        }
        for (CompletableFuture<?> attempt : attempts) {
            assertThatThrownBy(attempt::join).cause().isInstanceOf(GatewayException.class)
                    .hasMessage("shared state (Redis) did not answer within 250 ms");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("timed out together, not one after the other")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aReservationOfAnInstanceClosedWithoutSettlingIsFreedAfterItsLease() throws Exception {
        Duration lease = Duration.ofSeconds(1);
        StateBackend crashed = TestBackends.open(redis.uri());
        assertThat(crashed.reserve(Reservation.builder("crash-1", lease).hold("crash-k", 10, 10, MINUTE).build())
                .toCompletableFuture().join().isGranted()).isTrue();
        crashed.close();

        try (StateBackend survivor = TestBackends.open(redis.uri())) {
            assertThat(survivor.reserve(Reservation.builder("crash-2", lease).hold("crash-k", 1, 10, MINUTE).build())
                    .toCompletableFuture().join().current()).isEqualTo(10);

            redis.awaitServerTime(lease);

            assertThat(survivor.reserve(Reservation.builder("crash-3", lease).hold("crash-k", 10, 10, MINUTE).build())
                    .toCompletableFuture().join().isGranted()).isTrue();
            assertThat(survivor.get("crash-k").toCompletableFuture().join()).isZero();
        }
    }

    @Test
    void leasesAndWindowsAreKeptOnRedisTimeUnderTheKeyPrefix() throws Exception {
        try (StateBackend gateway = TestBackends.open(redis.uri(), Map.of("key_prefix", "fleet-a:"))) {
            long before = redis.timeMillis();
            gateway.reserve(Reservation.builder("timed", Duration.ofSeconds(30)).hold("timed-k", 5, 100, MINUTE).build())
                    .toCompletableFuture().join();
            long after = redis.timeMillis();

            long leaseEnd = Long.parseLong(redis.command("ZSCORE fleet-a:l:timed-k timed"));
            assertThat(leaseEnd).isBetween(before + 30_000, after + 30_000);
            assertThat(Long.parseLong(redis.command("PTTL fleet-a:r:timed").substring(1))).as("remembered for twice the lease")
                    .isBetween(59_000L, 60_000L);
            assertThat(Long.parseLong(redis.command("PTTL fleet-a:c:timed-k").substring(1))).as("the hold's window")
                    .isBetween(59_000L, 60_000L);
            assertThat(redis.command("HGET fleet-a:h:timed-k total")).isEqualTo("5");
            assertThat(redis.command("EXISTS tollgate:c:timed-k")).isEqualTo(":0");

            gateway.settle("timed", Map.of("timed-k", 3L)).toCompletableFuture().join();

            assertThat(redis.command("EXISTS fleet-a:r:timed fleet-a:h:timed-k fleet-a:l:timed-k")).as("nothing left behind")
                    .isEqualTo(":0");
            assertThat(redis.command("GET fleet-a:c:timed-k")).isEqualTo("3");
        }
    }

    @Test
    void anEmptiedTokenBucketExpiresWhenItWouldBeFullAgain() throws Exception {
        try (StateBackend gateway = TestBackends.open(redis.uri())) {
            gateway.takeTokens("tb", 10, 2.0, 10).toCompletableFuture().join();

            assertThat(Long.parseLong(redis.command("PTTL tollgate:b:tb").substring(1))).isBetween(4_000L, 5_001L);
        }
    }

    @Test
    void scriptsAreSentAgainWhenRedisHasForgottenThem() throws Exception {
        try (StateBackend gateway = TestBackends.open(redis.uri())) {
            assertThat(gateway.increment("flushed", 2, MINUTE).toCompletableFuture().join()).isEqualTo(2);

            assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");

            assertThat(gateway.increment("flushed", 2, MINUTE).toCompletableFuture().join()).isEqualTo(4);
        }
    }

    private static void publishUntil(StateBackend publisher, String message, List<String> received) throws InterruptedException {
        publishUntil(publisher, "teams", message, received);
    }

    private static void publishUntil(StateBackend publisher, String channel, String message, List<String> received)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!received.contains(message)) {
            assertThat(System.nanoTime()).as("'" + message + "' was delivered within 15 s").isLessThan(deadline);
            try {
                publisher.publish(channel, message).toCompletableFuture().join();
            } catch (CompletionException publisherStillReconnecting) {
            }
            Thread.sleep(50);
        }
    }
}
