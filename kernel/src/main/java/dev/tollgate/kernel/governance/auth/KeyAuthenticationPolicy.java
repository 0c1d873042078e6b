package dev.tollgate.kernel.governance.auth;

import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.PolicyPhase;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.policy.RequestPolicy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@link PolicyPhase#AUTHENTICATE} policy, first in the chain: establishes the
 * {@link Principal} from the request's key and refuses a model the key may not use (403
 * {@code model_not_allowed}). Answers with a completed stage: it reads only the directory snapshot.
 */
public final class KeyAuthenticationPolicy implements RequestPolicy {

    /** The name of this policy in logs and in the chain. */
    public static final String NAME = "tollgate-keys";

    private final Authenticator authenticator;

    public KeyAuthenticationPolicy(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public PolicyPhase phase() {
        return PolicyPhase.AUTHENTICATE;
    }

    @Override
    public CompletionStage<Admission> admit(PolicyRequest request) {
        VirtualKey[] used = new VirtualKey[1];
        Principal principal;
        if (!request.principal().isAnonymous() && (authenticator.isMaster(request.principal())
                || (used[0] = authenticator.keyOf(request.principal()).orElse(null)) != null)) {
            // the server's key guard authenticated this request a moment ago (a key gone since is checked again below)
            principal = request.principal();
        } else {
            principal = authenticator.authenticate(name -> request.headers().first(name).orElse(null), k -> used[0] = k);
        }
        if (used[0] != null && !used[0].allows(request.model())) {
            throw GatewayException.builder(ErrorType.CLIENT, 403, "model_not_allowed").param("model")
                    .message("this API key may not use the model '" + printable(request.model()) + "'")
                    .build();
        }
        return CompletableFuture.completedFuture(principal.isAnonymous() ? Admission.proceed()
                : Admission.builder().principal(principal).build());
    }

    private static String printable(String s) {
        String p = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return p.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
