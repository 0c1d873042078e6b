package dev.tollgate.plugin.mock;

import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A call on manual time whose thread is the test's: scheduled tasks run only when the test runs
 * them, and running one first moves {@link #ticker()} to the task's due time (unless the test
 * already advanced past it). It records every requested delay. Its cancellation flag does not stop
 * tasks already scheduled: the adapter alone must notice it.
 */
final class ObservedCall implements ProviderCall {

    private record Pending(long dueNanos, long order, Runnable task) {}

    private final PriorityQueue<Pending> pending =
            new PriorityQueue<>(Comparator.comparingLong(Pending::dueNanos).thenComparingLong(Pending::order));
    private final List<Duration> delays = new ArrayList<>();
    private long nowNanos;
    private long order;
    private boolean cancelled;

    @Override
    public String requestId() {
        return "req-1";
    }

    @Override
    public UpstreamHttp http() {
        throw new AssertionError("the mock must not call an upstream");
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
        delays.add(delay);
        pending.add(new Pending(nowNanos + Math.max(0, delay.toNanos()), order++, task));
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }

    /** The time the adapter reads; give it to the adapter's context. */
    Ticker ticker() {
        return () -> nowNanos;
    }

    /** Moves time forward without running anything, as a busy I/O thread would. */
    void advance(Duration d) {
        nowNanos += d.toNanos();
    }

    /** Runs the earliest scheduled task; false when none is left. */
    boolean runNext() {
        Pending next = pending.poll();
        if (next == null) {
            return false;
        }
        nowNanos = Math.max(nowNanos, next.dueNanos());
        next.task().run();
        return true;
    }

    /** Runs scheduled tasks, and those they schedule, until none is left. */
    void runAll() {
        while (!pending.isEmpty()) {
            runNext();
        }
    }

    /** Every delay asked for so far, in order. */
    List<Duration> delays() {
        return List.copyOf(delays);
    }

    int scheduledTasks() {
        return delays.size();
    }

    int pendingTasks() {
        return pending.size();
    }
}
