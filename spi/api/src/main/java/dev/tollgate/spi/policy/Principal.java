package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * Who is calling, as established by an {@link PolicyPhase#AUTHENTICATE} policy.
 *
 * @param keyId      the id of the key used (never the key itself), or {@code null} when anonymous
 * @param teamId     the team the key belongs to, or {@code null}
 * @param attributes further facts later policies may use (team path, tier…)
 */
public record Principal(String keyId, String teamId, Map<String, String> attributes) {

    public static final Principal ANONYMOUS = new Principal(null, null, Map.of());

    public Principal {
        attributes = Map.copyOf(requireNonNull(attributes, "attributes is null"));
    }

    public boolean isAnonymous() {
        return keyId == null;
    }
}
