package dev.tollgate.kernel.upstream;

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

    /** An exchange with a deadline. */
    abstract static class Entry {
        Entry previous;
        Entry next;
        boolean linked;
        long deadlineNanos;

        /** Called by the sweep once {@link #deadlineNanos} has passed; may re-arm or remove itself. */
        abstract void onDeadline(long nowNanos);
    }

    private final XnioIoThread thread;
    private Entry head;
    private boolean sweeping;

    Deadlines(XnioIoThread thread) {
        this.thread = thread;
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

    private void sweep() {
        long now = System.nanoTime();
        Entry e = head;
        while (e != null) {
            Entry next = e.next;
            if (e.deadlineNanos - now <= 0) {
                e.onDeadline(now);
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
