package dev.tollgate.plugin.redis;

/**
 * Where each piece of state lives in Redis, after the configured prefix: {@code c:<key>} a
 * counter (a string with the window as its expiry), {@code h:<key>} and {@code l:<key>} the
 * holds on a key (amount per reservation and their total; reservation ids by lease end),
 * {@code r:<id>} a reservation's record, {@code b:<key>} a token bucket. The scripts of settle and
 * release derive the hold keys from the prefix themselves, so these names are fixed.
 */
final class KeyNames {

    private final String prefix;

    KeyNames(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    String counter(String key) {
        return prefix + "c:" + key;
    }

    String holds(String key) {
        return prefix + "h:" + key;
    }

    String leases(String key) {
        return prefix + "l:" + key;
    }

    String reservation(String id) {
        return prefix + "r:" + id;
    }

    String bucket(String key) {
        return prefix + "b:" + key;
    }
}
