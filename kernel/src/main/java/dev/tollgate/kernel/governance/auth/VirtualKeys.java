package dev.tollgate.kernel.governance.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Virtual key secrets: {@code tg-} and 32 characters of URL-safe base64 (24 random bytes, 192
 * bits), stored only as their SHA-256 in lower-case hex.
 */
public final class VirtualKeys {

    public static final String PREFIX = "tg-";
    /** Characters after {@code tg-} that listings show. */
    public static final int SHOWN_CHARACTERS = 8;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private VirtualKeys() {}

    /** A new key secret. */
    public static String generate() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return PREFIX + BASE64.encodeToString(b);
    }

    /** The non-secret part of a key that listings show, for example {@code tg-AbCd1234}. */
    public static String prefixOf(String key) {
        return key.substring(0, PREFIX.length() + SHOWN_CHARACTERS);
    }

    /** SHA-256 of {@code secret} in lower-case hex. */
    public static String hash(String secret) {
        return HexFormat.of().formatHex(sha256(secret));
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** A short random id such as {@code key_Q2x9…}: {@code kind}, an underscore and 12 URL-safe characters. */
    public static String newId(String kind) {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        return kind + "_" + BASE64.encodeToString(b);
    }
}
