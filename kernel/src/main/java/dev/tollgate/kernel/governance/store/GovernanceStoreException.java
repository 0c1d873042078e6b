package dev.tollgate.kernel.governance.store;

/** The embedded store's database failed (I/O, a corrupt or locked file); the message names the operation. */
public final class GovernanceStoreException extends RuntimeException {

    public GovernanceStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public GovernanceStoreException(String message) {
        super(message);
    }
}
