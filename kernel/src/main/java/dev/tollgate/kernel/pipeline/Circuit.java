package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.config.CircuitSettings;
import dev.tollgate.spi.routing.Health;
import java.time.Duration;

/**
 * A deployment's circuit breaker: closed; open after {@code failures} failures within
 * {@code window} (or at once on a 429 with {@code Retry-After}, for that long); half-open when the
 * cooldown ended, letting one probe through; closed again when the probe succeeds, open for
 * another cooldown when it fails. Shared by every I/O thread, so each method takes the lock: it
 * is held for a few field updates only.
 */
final class Circuit {

    /** Told, outside the lock, each time this instance's own failures open the circuit or extend its opening. */
    interface OpenListener {
        void opened(Duration openFor, FailureClass cause);
    }

    private final CircuitSettings settings;
    /** The times of the latest failures, a ring of {@code settings.failures()} slots. */
    private final long[] failureTimes;
    private int nextSlot;
    private int failureCount;
    private boolean open;
    private long openUntil;
    private boolean probing;
    private FailureClass openedBy = FailureClass.SERVER_ERROR;
    private volatile OpenListener listener;
    /** Until when the upstream said its rate limit is used up (remaining 0), ticker nanos; {@code Long.MIN_VALUE} for never. */
    private long exhaustedUntil = Long.MIN_VALUE;
    /** The duration of the opening the last {@code failed} call caused, for its listener; null when it opened nothing. */
    private Duration justOpened;

    Circuit(CircuitSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
        this.failureTimes = new long[Math.max(1, settings.failures())];
    }

    synchronized Health health(long now) {
        if (exhaustedAt(now)) {
            return Health.OPEN;
        }
        if (!open) {
            return Health.HEALTHY;
        }
        return now < openUntil ? Health.OPEN : Health.HALF_OPEN;
    }

    /** Whether a request may be sent now without changing anything: closed, or half-open with no probe out. */
    synchronized boolean admits(long now) {
        if (exhaustedAt(now)) {
            return false;
        }
        return !open || (now >= openUntil && !probing);
    }

    /** Takes the right to send a request now: always when closed; the one probe when half-open. */
    synchronized boolean acquire(long now) {
        if (exhaustedAt(now)) {
            return false;
        }
        if (!open) {
            return true;
        }
        if (now >= openUntil && !probing) {
            probing = true;
            return true;
        }
        return false;
    }

    /** When an open circuit lets its next probe through, in ticker nanoseconds; {@code Long.MIN_VALUE} when closed. */
    synchronized long reopensAt() {
        if (exhaustedUntil == Long.MIN_VALUE) {
            return open ? openUntil : Long.MIN_VALUE;
        }
        return open ? Math.max(openUntil, exhaustedUntil) : exhaustedUntil;
    }

    /** Why it opened, for fallback rules: rate limited, server error or timeout. */
    synchronized FailureClass openedBy() {
        return !open && exhaustedUntil != Long.MIN_VALUE ? FailureClass.RATE_LIMITED : openedBy;
    }

    /**
     * The upstream said its rate limit is used up (a remaining count of 0) until {@code d} from
     * {@code now}: take no traffic until then (at most {@code max_cooldown}), like an opening, but
     * kept apart from it, since the answer that said so succeeded and closes the circuit. A circuit
     * that never opens (a model with nowhere else to go) ignores it: its requests go to the upstream.
     */
    synchronized void exhausted(long now, Duration d) {
        if (settings.maxCooldown().isZero() || !d.isPositive()) {
            return;
        }
        long until = now + (d.compareTo(settings.maxCooldown()) > 0 ? settings.maxCooldown() : d).toNanos();
        if (exhaustedUntil == Long.MIN_VALUE || until > exhaustedUntil) {
            exhaustedUntil = until;
        }
    }

    /** The upstream said requests and tokens remain: any exhaustion it reported earlier is over. */
    synchronized void replenished() {
        exhaustedUntil = Long.MIN_VALUE;
    }

    private boolean exhaustedAt(long now) {
        return exhaustedUntil != Long.MIN_VALUE && now < exhaustedUntil;
    }

    /** The deployment answered (a success, or a refusal that proves it works): the circuit closes. */
    synchronized void succeeded() {
        open = false;
        probing = false;
        failureCount = 0;
    }

    /** A request ended without saying anything about the deployment (the client left): the probe may go again. */
    synchronized void released() {
        probing = false;
    }

    void listen(OpenListener l) {
        this.listener = l;
    }

    /** A failure that counts against the deployment. */
    void failed(long now, FailureClass cause, Duration retryAfter) {
        Duration opened;
        synchronized (this) {
            justOpened = null;
            failedLocked(now, cause, retryAfter);
            opened = justOpened;
        }
        OpenListener l = listener;
        if (opened != null && l != null) {
            l.opened(opened, cause);
        }
    }

    /**
     * Another instance opened this deployment's circuit for {@code d} from {@code now}: open it here
     * too (capped at {@code max_cooldown}), without telling the listener, so messages do not echo.
     * A circuit that never opens (a model with nowhere else to go) ignores it.
     */
    synchronized void openedElsewhere(long now, Duration d, FailureClass cause) {
        if (settings.maxCooldown().isZero() || !d.isPositive()) {
            return;
        }
        openFor(now, d.compareTo(settings.maxCooldown()) > 0 ? settings.maxCooldown() : d, cause);
    }

    private void failedLocked(long now, FailureClass cause, Duration retryAfter) {
        probing = false;
        if (settings.maxCooldown().isZero()) {
            // never opens: the model has nowhere else to send a request (CircuitSettings.NO_ALTERNATIVE)
            return;
        }
        if (cause == FailureClass.RATE_LIMITED && retryAfter != null && retryAfter.isPositive()) {
            openFor(now, retryAfter.compareTo(settings.maxCooldown()) > 0 ? settings.maxCooldown() : retryAfter, cause);
            return;
        }
        if (open) {
            if (now >= openUntil) {
                openFor(now, settings.cooldown(), cause);
            }
            return;
        }
        if (settings.failures() == 0) {
            return;
        }
        failureTimes[nextSlot] = now;
        nextSlot = (nextSlot + 1) % failureTimes.length;
        failureCount = Math.min(failureCount + 1, failureTimes.length);
        // the oldest of the last N failures is the slot about to be overwritten
        if (failureCount == failureTimes.length && now - failureTimes[nextSlot] <= settings.window().toNanos()) {
            openFor(now, settings.cooldown(), cause);
        }
    }

    private void openFor(long now, Duration d, FailureClass cause) {
        long until = now + d.toNanos();
        if (!open || until > openUntil) {
            openUntil = until;
            justOpened = d;
        }
        open = true;
        openedBy = cause;
        failureCount = 0;
    }
}
