package dev.tollgate.plugin.mock;

/** A 64-bit FNV-1a hash over UTF-16 units, stable across JVMs, and the SplitMix64 finaliser. */
final class TextHash {

    static final long START = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private TextHash() {}

    static long mix(long hash, char c) {
        return (hash ^ c) * PRIME;
    }

    static long mix(long hash, String s) {
        long h = hash;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * PRIME;
        }
        return h;
    }

    static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1) from a 64-bit value. */
    static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }
}
