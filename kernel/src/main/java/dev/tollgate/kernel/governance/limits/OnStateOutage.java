package dev.tollgate.kernel.governance.limits;

import static java.util.Objects.requireNonNull;

/**
 * What {@link GovernancePolicy} does with a request while the state backend cannot be reached,
 * decided per concern ({@code governance.on_state_outage}).
 *
 * <p>{@link Mode#OPEN} admits the request without holding anything on that concern's counters;
 * {@link Mode#CLOSED} refuses it with 503 {@code governance_unavailable}. A request is refused
 * when any concern it is governed by is closed. The defaults keep rate limits open (a limit
 * guards against bursts; a short while unenforced is acceptable) and budgets closed (a budget is
 * money: spend that cannot be counted is refused).
 *
 * @param rateLimits what happens to requests governed by rpm, tpm or max_parallel
 * @param budgets    what happens to requests governed by a budget
 */
public record OnStateOutage(Mode rateLimits, Mode budgets) {

    /** Rate limits open, budgets closed. */
    public static final OnStateOutage DEFAULTS = new OnStateOutage(Mode.OPEN, Mode.CLOSED);

    /** Whether a concern's requests are admitted unenforced ({@code open}) or refused ({@code closed}). */
    public enum Mode {
        CLOSED, OPEN
    }

    public OnStateOutage {
        requireNonNull(rateLimits, "rateLimits is null");
        requireNonNull(budgets, "budgets is null");
    }
}
