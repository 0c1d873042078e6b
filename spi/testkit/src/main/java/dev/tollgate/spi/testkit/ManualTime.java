package dev.tollgate.spi.testkit;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Time that moves only when a test says so: a monotonic {@link Ticker}, a wall {@link #clock()}
 * and a scheduler whose tasks run when {@link #advance} reaches them. Thread-safe.
 *
 * <p>{@link #advance} moves both the ticker and the clock. It runs every task that falls due within
 * the step, in due order (tasks due at the same instant in the order they were scheduled), on the
 * calling thread; while a task runs, the ticker and clock read the task's due time, and tasks it
 * schedules run in the same call if they fall due within the step. A task that throws stops the
 * advance there: the exception propagates and later tasks stay scheduled.
 *
 * <p>{@link #setInstant} moves only the wall clock, as an NTP step does; the ticker and the
 * scheduler ignore it.
 */
public final class ManualTime implements Ticker {

    /** Where {@link #ManualTime()} starts the wall clock. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private record Task(long dueNanos, long sequence, Runnable run) {}

    private final ReentrantLock advancing = new ReentrantLock();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.sequence, b.sequence));
    private long nanos = 1_000_000_000L;
    private long wallEpochNanos;
    private long sequence;

    /** Starts at {@link #DEFAULT_START}. */
    public ManualTime() {
        this(DEFAULT_START);
    }

    public ManualTime(Instant start) {
        this.wallEpochNanos = epochNanos(requireNonNull(start, "start is null"));
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    /** The current wall time. */
    public synchronized Instant instant() {
        return Instant.ofEpochSecond(Math.floorDiv(wallEpochNanos, 1_000_000_000L), Math.floorMod(wallEpochNanos, 1_000_000_000L));
    }

    /** A clock that reads this time, in UTC. */
    public Clock clock() {
        return new View(this, ZoneOffset.UTC);
    }

    /** Sets the wall clock (forwards or backwards); the ticker and scheduled tasks are not affected. */
    public synchronized void setInstant(Instant instant) {
        this.wallEpochNanos = epochNanos(requireNonNull(instant, "instant is null"));
    }

    /** Runs {@code task} on the thread that calls {@link #advance} once {@code delay} has passed. */
    public synchronized void schedule(Duration delay, Runnable task) {
        requireNonNull(task, "task is null");
        long d = Math.max(0, requireNonNull(delay, "delay is null").toNanos());
        tasks.add(new Task(nanos + d, sequence++, task));
    }

    /** Tasks scheduled and not yet run. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** Moves time forward by {@code step}, running the tasks that fall due on the way. */
    public void advance(Duration step) {
        requireNonNull(step, "step is null");
        if (step.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + step);
        }
        advancing.lock();
        try {
            long target;
            synchronized (this) {
                target = nanos + step.toNanos();
            }
            while (true) {
                Task next;
                synchronized (this) {
                    Task head = tasks.peek();
                    if (head == null || head.dueNanos > target) {
                        moveTo(target);
                        return;
                    }
                    next = tasks.poll();
                    moveTo(Math.max(nanos, next.dueNanos));
                }
                next.run.run();
            }
        } finally {
            advancing.unlock();
        }
    }

    private void moveTo(long newNanos) {
        wallEpochNanos += newNanos - nanos;
        nanos = newNanos;
    }

    private static long epochNanos(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }

    private static final class View extends Clock {
        private final ManualTime time;
        private final ZoneId zone;

        View(ManualTime time, ZoneId zone) {
            this.time = time;
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId z) {
            return new View(time, requireNonNull(z, "zone is null"));
        }

        @Override
        public Instant instant() {
            return time.instant();
        }
    }
}
