package dev.tollgate.kernel.governance.admin;

import java.util.function.Function;

/**
 * One request to the admin API, already read whole.
 *
 * @param path   the path, for example {@code /admin/keys/key_abc}
 * @param query  the raw query string without {@code ?}, or empty
 * @param header a header's first value by (case-insensitive) name, or {@code null}
 * @param body   the body, empty when there is none
 */
public record AdminRequest(String method, String path, String query, Function<String, String> header, byte[] body) {}
