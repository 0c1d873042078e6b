package dev.tollgate.kernel.governance.auth;

import java.security.MessageDigest;

/**
 * The configured master key, held only as its SHA-256: a presented key is hashed and the two
 * digests compared in constant time, so neither the length nor a common prefix shows in timing.
 */
public final class MasterKey {

    private final byte[] digest;

    private MasterKey(byte[] digest) {
        this.digest = digest;
    }

    /** The master key {@code value}, or {@code null} for none. */
    public static MasterKey of(String value) {
        return value == null ? null : new MasterKey(VirtualKeys.sha256(value));
    }

    public boolean matches(String presented) {
        return presented != null && matchesDigest(VirtualKeys.sha256(presented));
    }

    /** Whether {@code sha256} is the SHA-256 of the master key (constant time). */
    boolean matchesDigest(byte[] sha256) {
        return MessageDigest.isEqual(digest, sha256);
    }

    @Override
    public String toString() {
        return "MasterKey[***]";
    }
}
