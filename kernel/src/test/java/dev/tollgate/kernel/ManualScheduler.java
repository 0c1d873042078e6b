package dev.tollgate.kernel;

import dev.tollgate.kernel.time.Scheduler;
import dev.tollgate.spi.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.xnio.XnioIoThread;

/**
 * Manual time for a gateway under test: a {@link Ticker} that moves only on {@link #advance}, and
 * a {@link Scheduler} whose tasks run (on their I/O threads, in due order) when time passes them.
 * Timeouts and pacing are then tested without sleeping.
 */
public final class ManualScheduler implements Scheduler, Ticker {

    private record Task(long dueNanos, long sequence, XnioIoThread thread, Runnable task) {}

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::sequence));
    private long now = 1_000_000_000L;
    private long sequence;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(XnioIoThread thread, long delayNanos, Runnable task) {
        Task t = new Task(now + Math.max(0, delayNanos), sequence++, thread, task);
        if (delayNanos <= 0) {
            thread.execute(task);
            return () -> { };
        }
        tasks.add(t);
        return () -> {
            synchronized (ManualScheduler.this) {
                tasks.remove(t);
            }
        };
    }

    @Override
    public Cancellable timeout(XnioIoThread thread, long delayNanos, Runnable task) {
        return schedule(thread, delayNanos, task);
    }

    /** Tasks scheduled and not yet due. */
    public synchronized int pending() {
        return tasks.size();
    }

    /** Moves time forward and hands every task that fell due to its I/O thread, in due order. */
    public void advance(Duration d) {
        List<Task> due = new ArrayList<>();
        synchronized (this) {
            now += d.toNanos();
            while (!tasks.isEmpty() && tasks.peek().dueNanos() <= now) {
                due.add(tasks.poll());
            }
        }
        for (Task t : due) {
            t.thread().execute(t.task());
        }
    }
}
