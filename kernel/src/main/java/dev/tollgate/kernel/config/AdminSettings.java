package dev.tollgate.kernel.config;

/**
 * The {@code admin} section.
 *
 * @param masterKey the master key of the admin API (and an unrestricted key for {@code /v1}), or
 *                  {@code null} when none is set
 */
public record AdminSettings(String masterKey) {

    public static final AdminSettings NONE = new AdminSettings(null);
    /** Shorter master keys are refused: they could be guessed, and short values are not scrubbed from logs. */
    public static final int MIN_MASTER_KEY_LENGTH = 16;

    public boolean hasMasterKey() {
        return masterKey != null;
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "AdminSettings[masterKey=" + (masterKey == null ? "none" : "***") + "]";
    }
}
