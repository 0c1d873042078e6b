package dev.tollgate.kernel.responses;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.ChatCodec;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.codec.ResponsesCodec;
import dev.tollgate.kernel.governance.auth.Authenticator;
import dev.tollgate.kernel.pipeline.Lifecycle;
import dev.tollgate.kernel.pipeline.Model;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.policy.Principal;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state step of a {@code POST /v1/responses}, between reading the body and validating it: a
 * request without {@code previous_response_id} goes on at once on its I/O thread (a scan of the
 * top-level fields is all it costs); one with it has its conversation loaded on {@code blocking} and
 * goes on, back on its I/O thread, with the rewritten body. Either way it goes on with a codec of
 * its own that gives the answer its id and stores it when it is complete. A model whose every
 * deployment passes Responses through is left alone: its provider holds the state. For a model that
 * mixes both, a {@code previous_response_id} the gateway does not hold goes on untouched, to the
 * deployments that may.
 */
public final class ResponsesIntake {

    private static final Logger log = LoggerFactory.getLogger(ResponsesIntake.class);

    /** How the request goes on: with the body to validate and serve, and the codec that answers it. */
    @FunctionalInterface
    public interface Next {
        void proceed(HttpServerExchange exchange, byte[] body, ChatCodec codec);
    }

    private final ResponseState state;
    private final ResponsesCodec codec;
    private final Authenticator authenticator;
    private final Executor blocking;
    private final Function<String, Model.Reach> reach;

    /**
     * @param reach how a Responses request reaches the deployments of a model, by its name ({@code null}
     *              for a model that does not exist): a model whose every deployment passes Responses
     *              through leaves the state to its provider
     */
    public ResponsesIntake(ResponseState state, ResponsesCodec codec, Authenticator authenticator, Executor blocking,
            Function<String, Model.Reach> reach) {
        this.reach = requireNonNull(reach, "reach is null");
        this.state = requireNonNull(state, "state is null");
        this.codec = requireNonNull(codec, "codec is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.blocking = requireNonNull(blocking, "blocking is null");
    }

    /** The tenant of a request: the key guard's principal, else whatever key it carries (keys not required). */
    static Principal principal(HttpServerExchange exchange, Authenticator authenticator) {
        Principal p = exchange.getAttachment(Lifecycle.AUTHENTICATED);
        return p != null ? p : authenticator.authenticate(name -> exchange.getRequestHeaders().getFirst(name));
    }

    public void accept(HttpServerExchange exchange, String requestId, byte[] body, Next next) {
        ResponseState.Scan scan;
        Principal owner;
        try {
            scan = state.scan(body);
            owner = principal(exchange, authenticator);
        } catch (GatewayException e) {
            Responses.error(exchange, requestId, ErrorFormat.OPENAI, e);
            return;
        }
        Model.Reach to = scan.model() == null ? null : reach.apply(scan.model());
        if (to == Model.Reach.PASS_THROUGH) {
            // the provider's own Responses API holds the state: store, previous_response_id and references go to it
            next.proceed(exchange, body, codec);
            return;
        }
        if (!scan.needsStore()) {
            ResponseState.Prepared p = state.prepareFresh(scan, owner, body);
            next.proceed(exchange, body, new OneResponseCodec(codec, state, p));
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            try {
                blocking.execute(() -> {
                    ResponseState.Prepared p;
                    try {
                        p = state.prepareContinued(scan, owner, body);
                    } catch (GatewayException e) {
                        if (to == Model.Reach.MIXED && (e.code().equals(ResponseState.PREVIOUS_NOT_FOUND)
                                || e.code().equals(ResponseState.ITEM_NOT_FOUND))) {
                            // not the gateway's: the model's pass-through deployments may hold it, so it goes on untouched
                            exchange.getIoThread().execute(() -> next.proceed(exchange, body, codec));
                            return;
                        }
                        exchange.getIoThread().execute(() -> Responses.error(exchange, requestId, ErrorFormat.OPENAI, e));
                        return;
                    } catch (RuntimeException e) {
                        log.warn("request {}: loading previous_response_id failed: {}", requestId, e.getMessage());
                        GatewayException unavailable = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "store_unavailable")
                                .message("the stored conversation of previous_response_id could not be read; retry").build();
                        exchange.getIoThread().execute(() -> Responses.error(exchange, requestId, ErrorFormat.OPENAI, unavailable));
                        return;
                    }
                    exchange.getIoThread().execute(() -> next.proceed(exchange, p.body(), new OneResponseCodec(codec, state, p)));
                });
            } catch (RejectedExecutionException e) {
                Responses.error(exchange, requestId, ErrorFormat.OPENAI, GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503,
                        "shutting_down").message("the gateway is shutting down; retry on another instance").build());
            }
        });
    }
}
