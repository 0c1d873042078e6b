package dev.tollgate.spi.policy;

/** The named phase a policy runs in; within a phase, policies run in configuration order. */
public enum PolicyPhase {
    /** Establishes the {@link Principal}; runs first. */
    AUTHENTICATE,
    /** Rate limits, budgets, guards; sees the principal. */
    GOVERN
}
