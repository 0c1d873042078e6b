package dev.tollgate.kernel.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.state.TokenBucketResult;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InProcessStateBackendTest {

    private final InProcessStateBackend state = new InProcessStateBackend(Runnable::run);

    @Test
    void reservationsNeverOvershootTheLimitUnderConcurrency() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            pool.execute(() -> {
                long v = state.incrementIfWithin("budget", 7, 700, Duration.ofMinutes(1)).toCompletableFuture().join();
                if (v >= 0) {
                    granted.incrementAndGet();
                }
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(granted.get()).isEqualTo(100);
        assertThat(state.get("budget").toCompletableFuture().join()).isEqualTo(700);
    }

    @Test
    void countersExpireAfterTheirTtl() throws Exception {
        assertThat(state.increment("c", 5, Duration.ofMillis(50)).toCompletableFuture().join()).isEqualTo(5);
        assertThat(state.increment("c", 5, Duration.ofMillis(50)).toCompletableFuture().join()).isEqualTo(10);
        Thread.sleep(80);
        assertThat(state.get("c").toCompletableFuture().join()).isZero();
        assertThat(state.increment("c", 1, Duration.ofMillis(50)).toCompletableFuture().join()).isEqualTo(1);
    }

    @Test
    void aTokenBucketAllowsItsCapacityThenSaysWhenToRetry() {
        for (int i = 0; i < 3; i++) {
            assertThat(state.takeTokens("rpm", 3, 1.0, 1).toCompletableFuture().join().allowed()).isTrue();
        }
        TokenBucketResult denied = state.takeTokens("rpm", 3, 1.0, 1).toCompletableFuture().join();
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isGreaterThan(Duration.ZERO).isLessThanOrEqualTo(Duration.ofSeconds(1));
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
}
