package dev.tollgate.kernel.server;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xnio.XnioIoThread;

/**
 * The open client connections of one I/O thread, in an intrusive list swept every
 * {@value #TICK_MILLIS} ms for their deadlines. Adding and removing a connection is O(1)
 * without allocation; a phase change is a field write, never a timer (an XNIO timer per request
 * costs a sorted-set insert and removal). Deadlines fire up to one tick late. Confined to its thread.
 */
final class ConnectionSweep {

    static final long TICK_MILLIS = 100;

    private final XnioIoThread thread;
    private GuardedConnection head;
    private boolean sweeping;

    ConnectionSweep(XnioIoThread thread) {
        this.thread = thread;
    }

    XnioIoThread thread() {
        return thread;
    }

    void add(GuardedConnection c) {
        c.sweepPrevious = null;
        c.sweepNext = head;
        if (head != null) {
            head.sweepPrevious = c;
        }
        head = c;
        c.swept = true;
        if (!sweeping) {
            sweeping = true;
            thread.executeAfter(this::sweep, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void remove(GuardedConnection c) {
        if (!c.swept) {
            return;
        }
        if (c.sweepPrevious != null) {
            c.sweepPrevious.sweepNext = c.sweepNext;
        } else {
            head = c.sweepNext;
        }
        if (c.sweepNext != null) {
            c.sweepNext.sweepPrevious = c.sweepPrevious;
        }
        c.sweepPrevious = null;
        c.sweepNext = null;
        c.swept = false;
    }

    /** Runs {@code action} on each connection of this thread; must run on the thread. */
    void forEach(Consumer<GuardedConnection> action) {
        GuardedConnection c = head;
        while (c != null) {
            GuardedConnection next = c.sweepNext;
            action.accept(c);
            c = next;
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        forEach(c -> c.checkDeadline(now));
        if (head != null) {
            thread.executeAfter(this::sweep, TICK_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            sweeping = false;
        }
    }
}
