package dev.tollgate.kernel.governance.store;

import dev.tollgate.spi.store.StoreException;

/** The embedded store's database failed (I/O, a corrupt or locked file); the message names the operation. */
public final class GovernanceStoreException extends StoreException {

    public GovernanceStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public GovernanceStoreException(String message) {
        super(message);
    }
}
