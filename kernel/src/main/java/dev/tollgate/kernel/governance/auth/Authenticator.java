package dev.tollgate.kernel.governance.auth;

import dev.tollgate.kernel.governance.GovernanceDirectory;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.policy.Principal;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the credential of a {@code /v1} request into a {@link Principal}. The key comes as
 * {@code Authorization: Bearer <key>} or {@code x-api-key: <key>}; it is hashed and looked up in
 * the {@link GovernanceDirectory} snapshot (never the store), so this never blocks.
 *
 * <p>When keys are {@link #required}, a request without a usable key gets 401: one and the same
 * answer for an unknown, revoked, disabled or expired key, so a caller learns nothing about which.
 * When they are not (no master key on a loopback listener, or {@code server.auth: none}), a
 * usable key still names the principal and anything else passes as anonymous.
 */
public final class Authenticator {

    /** The key id of the principal a request with the master key runs as. */
    public static final String MASTER_KEY_ID = "master";
    private static final Principal MASTER = Principal.builder().keyId(MASTER_KEY_ID).keyName("master key").build();
    private static final String HOW = "send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'";

    private final GovernanceDirectory directory;
    private final MasterKey masterKey;
    private final boolean required;
    private final Clock clock;

    /**
     * @param masterKey the master key, or {@code null}
     * @param required  whether a request without a usable key is refused
     */
    public Authenticator(GovernanceDirectory directory, MasterKey masterKey, boolean required, Clock clock) {
        this.directory = directory;
        this.masterKey = masterKey;
        this.required = required;
        this.clock = clock;
    }

    public boolean required() {
        return required;
    }

    /** What a request presented: a key, nothing, or an {@code Authorization} header that is not {@code Bearer}. */
    private record Presented(String key, boolean malformed) {}

    private static Presented presented(Function<String, String> header) {
        String authorization = header.apply("authorization");
        if (authorization != null) {
            String a = authorization.strip();
            if (a.regionMatches(true, 0, "Bearer ", 0, 7) && !a.substring(7).isBlank()) {
                return new Presented(a.substring(7).strip(), false);
            }
        }
        String apiKey = header.apply("x-api-key");
        if (apiKey != null && !apiKey.isBlank()) {
            return new Presented(apiKey.strip(), false);
        }
        return new Presented(null, authorization != null);
    }

    /**
     * The principal of a request, from its headers ({@code header} returns a header's first value
     * or {@code null}); the key found, when one is, through {@code keyFound}.
     *
     * @throws GatewayException 401 when keys are required and none usable was sent
     */
    public Principal authenticate(Function<String, String> header) {
        return authenticate(header, k -> {});
    }

    public boolean isMaster(Principal principal) {
        return principal.keyId().filter(MASTER_KEY_ID::equals).isPresent();
    }

    /** The virtual key of a principal this authenticator established; empty for the master key. */
    public java.util.Optional<VirtualKey> keyOf(Principal principal) {
        return principal.keyId().filter(id -> !id.equals(MASTER_KEY_ID)).flatMap(directory::key);
    }

    /** {@link #authenticate(Function)}, also handing the key used to {@code keyFound} (not called for the master key). */
    public Principal authenticate(Function<String, String> header, java.util.function.Consumer<VirtualKey> keyFound) {
        Presented p = presented(header);
        if (p.key() == null) {
            if (!required) {
                return Principal.ANONYMOUS;
            }
            throw GatewayException.builder(ErrorType.CLIENT, 401, "missing_api_key")
                    .message(p.malformed()
                            ? "the Authorization header is not 'Bearer <key>'; " + HOW
                            : "this gateway needs an API key; " + HOW)
                    .header("WWW-Authenticate", "Bearer")
                    .build();
        }
        byte[] digest = VirtualKeys.sha256(p.key());
        if (masterKey != null && masterKey.matchesDigest(digest)) {
            return MASTER;
        }
        VirtualKey key = directory.keyByHash(HexFormat.of().formatHex(digest)).orElse(null);
        if (key == null || !key.usableAt(clock.instant())) {
            if (!required) {
                return Principal.ANONYMOUS;
            }
            throw invalidKey();
        }
        keyFound.accept(key);
        return principal(key);
    }

    /** The one answer for every key that cannot be used. */
    static GatewayException invalidKey() {
        return GatewayException.builder(ErrorType.CLIENT, 401, "invalid_api_key")
                .message("the API key is not valid")
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    /**
     * The principal of a key: its team path from the organisation down (as {@link Principal#teamPath()}
     * documents), and as attributes the metadata of the
     * teams from the organisation down, then the key's own (the nearer one wins on the same name).
     */
    private Principal principal(VirtualKey key) {
        List<Team> path = directory.teamPath(key.teamId());
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = path.size() - 1; i >= 0; i--) {
            attributes.putAll(path.get(i).metadata());
        }
        attributes.putAll(key.metadata());
        Principal.Builder b = Principal.builder().keyId(key.id()).keyName(key.name())
                .teamId(path.isEmpty() ? null : key.teamId())
                .teamPath(path.reversed().stream().map(Team::id).toList());
        attributes.forEach(b::attribute);
        return b.build();
    }
}
