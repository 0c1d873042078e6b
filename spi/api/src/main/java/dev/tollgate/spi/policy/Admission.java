package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.http.Headers;

/**
 * A policy's consent to a request.
 *
 * @param principal       the principal from now on, or {@code null} to leave it unchanged
 * @param responseHeaders headers to add to the response (for example {@code x-ratelimit-*})
 * @param state           anything the policy needs back in {@link RequestPolicy#settle}
 *                        (a reservation id, a permit), or {@code null}
 */
public record Admission(Principal principal, Headers responseHeaders, Object state) {

    public static final Admission PROCEED = new Admission(null, Headers.EMPTY, null);

    public Admission {
        requireNonNull(responseHeaders, "responseHeaders is null");
    }
}
