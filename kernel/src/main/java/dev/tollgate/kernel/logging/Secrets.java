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
    }

    static int count() {
        return registered.length;
    }

    /** Forgets every secret; for tests that register their own. */
    static synchronized void clearForTests() {
        registered = new String[0];
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
