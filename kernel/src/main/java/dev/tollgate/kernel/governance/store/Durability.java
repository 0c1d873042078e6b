package dev.tollgate.kernel.governance.store;

/**
 * What an acknowledged write of the {@link EmbeddedGovernanceStore} survives. Both keep the file
 * consistent after any crash; they differ in whether the last commits may be rolled back.
 */
public enum Durability {
    /**
     * Survives the process being killed ({@code kill -9}, out of memory): a commit is in the
     * operating system's page cache before it returns. A power loss or kernel crash may roll back
     * the commits since the last checkpoint. SQLite WAL with {@code synchronous=NORMAL}. The default.
     */
    PROCESS_CRASH("NORMAL"),
    /** Also survives a power loss: every commit waits for an {@code fsync}. {@code synchronous=FULL}. */
    POWER_LOSS("FULL");

    final String synchronous;

    Durability(String synchronous) {
        this.synchronous = synchronous;
    }
}
