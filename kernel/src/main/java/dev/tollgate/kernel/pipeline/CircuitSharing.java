package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares circuit openings between gateway instances over a shared state backend's pub/sub. When
 * this instance opens a deployment's circuit it publishes
 * {@code 1|<open until, epoch ms>|<cause>|<instance>|<deployment id>} on {@link #CHANNEL}; an
 * instance receiving it opens its circuit of that deployment until the same wall-clock time
 * (so clocks should agree within a second or so). Messages from this instance itself, about
 * deployments it does not have, malformed, longer than {@link #MAX_MESSAGE} characters, in the past
 * or further out than the circuit's {@code max_cooldown} (which caps them) are ignored and counted;
 * nothing a message holds can throw. Closing, half-opening and probes stay per instance: every
 * instance probes for itself when the shared cooldown ends.
 */
public final class CircuitSharing implements AutoCloseable {

    public static final String CHANNEL = "routing.circuits";
    static final int MAX_MESSAGE = 512;
    private static final Logger log = LoggerFactory.getLogger(CircuitSharing.class);

    private final StateBackend state;
    private final Map<String, Deployment> deployments = new HashMap<>();
    private final Ticker ticker;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AutoCloseable subscription;

    private CircuitSharing(StateBackend state, Collection<Deployment> deployments, Ticker ticker, Clock clock) {
        this.state = requireNonNull(state, "state is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.clock = requireNonNull(clock, "clock is null");
        for (Deployment d : deployments) {
            this.deployments.put(d.id(), d);
        }
        for (Deployment d : deployments) {
            d.circuit().listen((openFor, cause) -> publish(d, openFor, cause));
        }
        this.subscription = state.subscribe(CHANNEL, this::receive);
    }

    /** Starts sharing the circuits of {@code deployments} through {@code state}. */
    public static CircuitSharing start(StateBackend state, Collection<Deployment> deployments, Ticker ticker, Clock clock) {
        return new CircuitSharing(state, deployments, ticker, clock);
    }

    private void publish(Deployment d, Duration openFor, FailureClass cause) {
        long until = clock.millis() + openFor.toMillis();
        String message = "1|" + until + "|" + cause.name() + "|" + instance + "|" + d.id();
        if (message.length() > MAX_MESSAGE) {
            return;
        }
        try {
            state.publish(CHANNEL, message).exceptionally(e -> {
                log.debug("could not share the opening of {}'s circuit ({})", d.id(), e.getClass().getSimpleName());
                return null;
            });
        } catch (RuntimeException e) {
            log.debug("could not share the opening of {}'s circuit ({})", d.id(), e.getClass().getSimpleName());
        }
    }

    /** One message from the channel; never throws. */
    void receive(String message) {
        try {
            if (!apply(message)) {
                ignored.incrementAndGet();
            }
        } catch (RuntimeException e) {
            ignored.incrementAndGet();
        }
    }

    private boolean apply(String message) {
        if (message == null || message.length() > MAX_MESSAGE) {
            return false;
        }
        String[] parts = message.split("\\|", 5);
        if (parts.length != 5 || !parts[0].equals("1")) {
            return false;
        }
        if (parts[3].equals(instance)) {
            return true;
        }
        Deployment d = deployments.get(parts[4]);
        if (d == null) {
            return false;
        }
        long until;
        FailureClass cause;
        try {
            until = Long.parseLong(parts[1]);
            cause = FailureClass.valueOf(parts[2]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        long remaining = until - clock.millis();
        if (remaining <= 0) {
            return false;
        }
        d.circuit().openedElsewhere(ticker.nanoTime(), Duration.ofMillis(remaining), cause);
        applied.incrementAndGet();
        return true;
    }

    /** Openings received from other instances and applied here. */
    long applied() {
        return applied.get();
    }

    /** Messages ignored: unknown deployment, malformed, too long, already past. */
    long ignored() {
        return ignored.get();
    }

    @Override
    public void close() throws Exception {
        for (Deployment d : deployments.values()) {
            d.circuit().listen(null);
        }
        subscription.close();
    }
}
