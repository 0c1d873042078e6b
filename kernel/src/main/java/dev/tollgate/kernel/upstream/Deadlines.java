package dev.tollgate.kernel.upstream;

import dev.tollgate.spi.time.Ticker;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioIoThread;

/**
 * The timeouts of one I/O thread's upstream exchanges: an intrusive list swept every
 * {@value #TICK_MILLIS} ms. Registering and removing an exchange is O(1) without allocation,
 * where an XNIO timer per exchange costs a sorted-set insert and removal on every request.
 * Timeouts fire up to one tick late, never early. Confined to its thread.
 */
final class Deadlines {

    static final long TICK_MILLIS = 50;

    /** Runs the next sweep later on the owning thread; tests run sweeps by hand instead. */
    interface Scheduler {
        void after(long millis, Runnable task);

        static Scheduler of(XnioIoThread thread) {
            return (millis, task) -> thread.executeAfter(task, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** An exchange with a deadline: at most one entry per exchange, holding its earliest deadline. */
    abstract static class Entry {
        Entry previous;
        Entry next;
        boolean linked;
        long deadlineNanos;

        /** Called by the sweep once {@link #deadlineNanos} has passed; may re-arm or remove itself. */
        abstract void onDeadline(long nowNanos);
    }

    private final Scheduler scheduler;
    private final Ticker ticker;
    private Entry head;
    private boolean sweeping;

    Deadlines(Scheduler scheduler, Ticker ticker) {
        this.scheduler = scheduler;
        this.ticker = ticker;
    }

    long now() {
        return ticker.nanoTime();
    }

    void add(Entry e, long deadlineNanos) {
        e.deadlineNanos = deadlineNanos;
        if (!e.linked) {
            e.linked = true;
            e.previous = null;
            e.next = head;
            if (head != null) {
                head.previous = e;
            }
            head = e;
        }
        if (!sweeping) {
            sweeping = true;
            scheduler.after(TICK_MILLIS, this::sweep);
        }
    }

    void remove(Entry e) {
        if (!e.linked) {
            return;
        }
        if (e.previous != null) {
            e.previous.next = e.next;
        } else {
            head = e.next;
        }
        if (e.next != null) {
            e.next.previous = e.previous;
        }
        e.previous = null;
        e.next = null;
        e.linked = false;
    }

    void sweep() {
        long now = ticker.nanoTime();
        Entry e = head;
        while (e != null) {
            Entry next = e.next;
            // an entry removed by an earlier one's callback in this sweep is skipped
            if (e.linked && e.deadlineNanos - now <= 0) {
                e.onDeadline(now);
            }
            e = next;
        }
        if (head != null) {
            scheduler.after(TICK_MILLIS, this::sweep);
        } else {
            sweeping = false;
        }
    }
}
