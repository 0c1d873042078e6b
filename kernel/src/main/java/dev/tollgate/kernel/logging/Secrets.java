package dev.tollgate.kernel.logging;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The secret values this process knows (API keys resolved from the configuration), and the scrub
 * that masks them in text before it is written anywhere. Process-wide on purpose: plugins log
 * through the same slf4j and {@code System.Logger} as the kernel, so one registry covers every
 * line whoever wrote it.
 *
 * <p>Values shorter than {@link #MIN_LENGTH} characters are not registered: masking them would
 * mangle ordinary words and numbers in every line, and such a value is no credential anyway.
 */
public final class Secrets {

    public static final int MIN_LENGTH = 8;
    static final String MASK = "***";

    /** Longest first; replaced as a whole on registration, read without locking. */
    private static volatile String[] registered = new String[0];
    /** The same secrets as UTF-8, for masking bytes on their way to clients. */
    private static volatile byte[][] registeredBytes = new byte[0][];

    private Secrets() {}

    /** Adds {@code secret}; blank, short and already known values are ignored. */
    public static synchronized void register(String secret) {
        if (secret == null || secret.strip().length() < MIN_LENGTH) {
            return;
        }
        String[] current = registered;
        if (Arrays.asList(current).contains(secret)) {
            return;
        }
        String[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = secret;
        Arrays.sort(next, Comparator.comparingInt(String::length).reversed());
        registered = next;
        byte[][] bytes = new byte[next.length][];
        for (int i = 0; i < next.length; i++) {
            bytes[i] = next[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        registeredBytes = bytes;
    }

    /** Whether any secret is registered; callers skip all masking work when none is. */
    public static boolean any() {
        return registeredBytes.length > 0;
    }

    /**
     * Overwrites every occurrence of a registered secret in {@code b[offset, offset+length)} with
     * {@code *}, keeping the length (so a body's {@code Content-Length} and its JSON stay valid).
     * Only for arrays the caller owns. Returns how many occurrences were masked.
     */
    public static int maskInPlace(byte[] b, int offset, int length) {
        byte[][] secrets = registeredBytes;
        int masked = 0;
        int end = offset + length;
        for (byte[] secret : secrets) {
            int last = end - secret.length;
            byte first = secret[0];
            outer:
            for (int i = offset; i <= last; i++) {
                if (b[i] != first) {
                    continue;
                }
                for (int j = 1; j < secret.length; j++) {
                    if (b[i + j] != secret[j]) {
                        continue outer;
                    }
                }
                Arrays.fill(b, i, i + secret.length, (byte) '*');
                masked++;
                i += secret.length - 1;
            }
        }
        return masked;
    }

    /** Whether {@code body} holds a registered secret (no copy). */
    public static boolean foundIn(dev.tollgate.spi.Bytes body) {
        for (byte[] secret : registeredBytes) {
            if (body.indexOf(secret, 0) >= 0) {
                return true;
            }
        }
        return false;
    }

    static int count() {
        return registered.length;
    }

    /** Forgets every secret; for tests that register their own. */
    static synchronized void clearForTests() {
        registered = new String[0];
        registeredBytes = new byte[0][];
    }

    /**
     * {@code text} with every occurrence of every registered secret replaced by {@code ***}; the
     * same instance when nothing is registered or nothing matches. Overlapping occurrences (of one
     * secret or of two) are masked as one span, so no fragment of either survives.
     */
    public static String scrub(String text) {
        String[] secrets = registered;
        if (secrets.length == 0 || text == null) {
            return text;
        }
        int first = -1;
        int which = 0;
        for (; which < secrets.length; which++) {
            first = text.indexOf(secrets[which]);
            if (first >= 0) {
                break;
            }
        }
        if (first < 0) {
            return text;
        }
        boolean[] masked = new boolean[text.length()];
        for (int s = which; s < secrets.length; s++) {
            String secret = secrets[s];
            for (int i = s == which ? first : text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + 1)) {
                Arrays.fill(masked, i, i + secret.length(), true);
            }
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (masked[i]) {
                out.append(MASK);
                while (i < text.length() && masked[i]) {
                    i++;
                }
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }
}
