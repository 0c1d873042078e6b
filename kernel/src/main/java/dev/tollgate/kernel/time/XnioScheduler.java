package dev.tollgate.kernel.time;

import dev.tollgate.spi.time.Ticker;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The production {@link Scheduler}: XNIO timers for pacing, and for deadlines an intrusive list per
 * I/O thread swept every {@value #TICK_MILLIS} ms. Arming and cancelling a deadline is O(1) without
 * allocation beyond its entry, where an XNIO timer costs a sorted-set insert and removal.
 */
public final class XnioScheduler implements Scheduler {

    public static final long TICK_MILLIS = 50;

    private final Ticker ticker;
    private final Map<Thread, Sweep> sweeps = new IdentityHashMap<>();

    public XnioScheduler(XnioWorker worker, Ticker ticker) {
        this.ticker = ticker;
        for (int i = 0; i < worker.getIoThreadCount(); i++) {
            XnioIoThread t = worker.getIoThread(i);
            sweeps.put(t, new Sweep(t));
        }
    }

    @Override
    public Cancellable schedule(XnioIoThread thread, long delayNanos, Runnable task) {
        if (delayNanos <= 0) {
            boolean[] cancelled = {false};
            thread.execute(() -> {
                if (!cancelled[0]) {
                    task.run();
                }
            });
            return () -> cancelled[0] = true;
        }
        XnioExecutor.Key key = thread.executeAfter(task, delayNanos, TimeUnit.NANOSECONDS);
        return key::remove;
    }

    @Override
    public Cancellable timeout(XnioIoThread thread, long delayNanos, Runnable task) {
        Sweep sweep = sweeps.get(thread);
        if (sweep == null) {
            return schedule(thread, delayNanos, task);
        }
        Entry e = new Entry(sweep, ticker.nanoTime() + delayNanos, task);
        if (Thread.currentThread() == thread) {
            sweep.add(e);
        } else {
            thread.execute(() -> sweep.add(e));
        }
        return e;
    }

    private static final class Entry implements Cancellable {
        final Sweep sweep;
        final long deadlineNanos;
        final Runnable task;
        Entry previous;
        Entry next;
        boolean linked;
        boolean cancelled;

        Entry(Sweep sweep, long deadlineNanos, Runnable task) {
            this.sweep = sweep;
            this.deadlineNanos = deadlineNanos;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
            if (Thread.currentThread() == sweep.thread) {
                sweep.remove(this);
            }
        }
    }

    /** The deadlines of one I/O thread; only that thread touches it. */
    private final class Sweep {
        final XnioIoThread thread;
        Entry head;
        boolean sweeping;

        Sweep(XnioIoThread thread) {
            this.thread = thread;
        }

        void add(Entry e) {
            if (e.cancelled) {
                return;
            }
            e.linked = true;
            e.next = head;
            if (head != null) {
                head.previous = e;
            }
            head = e;
            if (!sweeping) {
                sweeping = true;
                thread.executeAfter(this::sweep, TICK_MILLIS, TimeUnit.MILLISECONDS);
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
                if (e.cancelled) {
                    remove(e);
                } else if (e.deadlineNanos - now <= 0) {
                    remove(e);
                    e.task.run();
                }
                e = next;
            }
            if (head != null) {
                thread.executeAfter(this::sweep, TICK_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                sweeping = false;
            }
        }
    }
}
