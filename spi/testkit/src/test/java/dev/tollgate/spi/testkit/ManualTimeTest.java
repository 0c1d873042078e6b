package dev.tollgate.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ManualTimeTest {

    private final ManualTime time = new ManualTime(Instant.parse("2025-06-30T23:59:59Z"));

    @Test
    void timeStandsStillUntilAdvanced() {
        long t0 = time.nanoTime();
        Instant w0 = time.clock().instant();

        assertThat(time.nanoTime()).isEqualTo(t0);
        assertThat(time.clock().instant()).isEqualTo(w0).isEqualTo(Instant.parse("2025-06-30T23:59:59Z"));

        time.advance(Duration.ofMillis(1500));

        assertThat(time.nanoTime() - t0).isEqualTo(1_500_000_000L);
        assertThat(time.clock().instant()).isEqualTo(Instant.parse("2025-07-01T00:00:00.500Z"));
        assertThat(time.clock().millis()).isEqualTo(Instant.parse("2025-07-01T00:00:00.500Z").toEpochMilli());
    }

    @Test
    void settingTheInstantMovesOnlyTheWallClock() {
        long t0 = time.nanoTime();
        List<String> ran = new ArrayList<>();
        time.schedule(Duration.ofSeconds(1), () -> ran.add("task"));

        time.setInstant(Instant.parse("2024-01-01T00:00:00Z"));

        assertThat(time.clock().instant()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(time.nanoTime()).isEqualTo(t0);
        assertThat(ran).isEmpty();
        time.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("task");
        assertThat(time.clock().instant()).isEqualTo(Instant.parse("2024-01-01T00:00:01Z"));
    }

    @Test
    void tasksRunInDueOrderOnTheCallerOfAdvanceAtTheirDueTime() {
        long t0 = time.nanoTime();
        List<String> ran = new ArrayList<>();
        Thread caller = Thread.currentThread();
        time.schedule(Duration.ofSeconds(3), () -> ran.add("c@" + (time.nanoTime() - t0) / 1_000_000_000L));
        time.schedule(Duration.ofSeconds(1), () -> ran.add("a@" + (time.nanoTime() - t0) / 1_000_000_000L));
        time.schedule(Duration.ofSeconds(1), () -> ran.add("b@" + (time.nanoTime() - t0) / 1_000_000_000L));
        time.schedule(Duration.ofSeconds(10), () -> ran.add("late"));
        time.schedule(Duration.ZERO, () -> assertThat(Thread.currentThread()).isSameAs(caller));

        time.advance(Duration.ofSeconds(5));

        assertThat(ran).containsExactly("a@1", "b@1", "c@3");
        assertThat(time.nanoTime() - t0).isEqualTo(5_000_000_000L);
        assertThat(time.pendingTasks()).isEqualTo(1);
    }

    @Test
    void aTaskScheduledByATaskRunsInTheSameAdvanceWhenItFallsDue() {
        List<String> ran = new ArrayList<>();
        time.schedule(Duration.ofSeconds(1), () -> {
            ran.add("first");
            time.schedule(Duration.ofSeconds(1), () -> ran.add("second"));
            time.schedule(Duration.ofSeconds(5), () -> ran.add("third"));
        });

        time.advance(Duration.ofSeconds(3));

        assertThat(ran).containsExactly("first", "second");
        time.advance(Duration.ofSeconds(3));
        assertThat(ran).containsExactly("first", "second", "third");
    }

    @Test
    void aFailingTaskStopsTheAdvanceThereAndKeepsLaterTasks() {
        long t0 = time.nanoTime();
        List<String> ran = new ArrayList<>();
        time.schedule(Duration.ofSeconds(1), () -> {
            throw new IllegalStateException("boom");
        });
        time.schedule(Duration.ofSeconds(2), () -> ran.add("later"));

        assertThatThrownBy(() -> time.advance(Duration.ofSeconds(5))).hasMessage("boom");

        assertThat(time.nanoTime() - t0).isEqualTo(1_000_000_000L);
        assertThat(ran).isEmpty();
        time.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("later");
    }

    @Test
    void timeNeverMovesBackwards() {
        assertThatThrownBy(() -> time.advance(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClockCanChangeZoneAndStillFollowsTheTime() {
        Clock paris = time.clock().withZone(ZoneId.of("Europe/Paris"));

        time.advance(Duration.ofHours(1));

        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(paris.instant()).isEqualTo(Instant.parse("2025-07-01T00:59:59Z"));
    }

    @Test
    void concurrentAdvancesAddUpAndEveryTaskRunsOnce() throws Exception {
        long t0 = time.nanoTime();
        int threads = 4;
        int steps = 1000;
        AtomicInteger ran = new AtomicInteger();
        for (int i = 1; i <= threads * steps; i++) {
            time.schedule(Duration.ofMillis(i), ran::incrementAndGet);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                for (int i = 0; i < steps; i++) {
                    time.advance(Duration.ofMillis(1));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(time.nanoTime() - t0).isEqualTo(threads * steps * 1_000_000L);
        assertThat(ran.get()).isEqualTo(threads * steps);
        assertThat(time.pendingTasks()).isZero();
    }
}
