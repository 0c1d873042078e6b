package dev.tollgate.kernel.server;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: the client's {@code x-request-id} when it is sane, else a fresh one. */
final class RequestIds {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {}

    static String accept(String fromClient) {
        if (fromClient != null && isSane(fromClient)) {
            return fromClient;
        }
        return generate();
    }

    /** 24 hex characters: 40 bits of milliseconds then 56 random bits; sortable by time, no lock. */
    static String generate() {
        long millis = System.currentTimeMillis();
        long random = ThreadLocalRandom.current().nextLong();
        char[] out = new char[24];
        for (int i = 9; i >= 0; i--) {
            out[i] = HEX[(int) (millis & 0xf)];
            millis >>>= 4;
        }
        for (int i = 23; i >= 10; i--) {
            out[i] = HEX[(int) (random & 0xf)];
            random >>>= 4;
        }
        return new String(out);
    }

    static boolean isSane(String id) {
        int n = id.length();
        if (n == 0 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
