package dev.tollgate.kernel.responses;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.ChatCodec;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.codec.ResponsesCodec;
import dev.tollgate.kernel.governance.auth.Authenticator;
import dev.tollgate.kernel.pipeline.Lifecycle;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.policy.Principal;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state step of a {@code POST /v1/responses}, between reading the body and validating it: a
 * request without {@code previous_response_id} goes on at once on its I/O thread (a scan of the
 * top-level fields is all it costs); one with it has its conversation loaded on {@code blocking} and
 * goes on, back on its I/O thread, with the rewritten body. Either way it goes on with a codec of
 * its own that gives the answer its id and stores it when it is complete.
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

    public ResponsesIntake(ResponseState state, ResponsesCodec codec, Authenticator authenticator, Executor blocking) {
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
        if (!scan.needsStore()) {
            ResponseState.Prepared p = state.prepareFresh(scan, owner, body);
            next.proceed(exchange, body, p.store() ? new StoringResponsesCodec(codec, state, p) : codec);
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            try {
                blocking.execute(() -> {
                    ResponseState.Prepared p;
                    try {
                        p = state.prepareContinued(scan, owner, body);
                    } catch (GatewayException e) {
                        exchange.getIoThread().execute(() -> Responses.error(exchange, requestId, ErrorFormat.OPENAI, e));
                        return;
                    } catch (RuntimeException e) {
                        log.warn("request {}: loading previous_response_id failed: {}", requestId, e.getMessage());
                        GatewayException unavailable = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "store_unavailable")
                                .message("the stored conversation of previous_response_id could not be read; retry").build();
                        exchange.getIoThread().execute(() -> Responses.error(exchange, requestId, ErrorFormat.OPENAI, unavailable));
                        return;
                    }
                    exchange.getIoThread().execute(() -> next.proceed(exchange, p.body(), new StoringResponsesCodec(codec, state, p)));
                });
            } catch (RejectedExecutionException e) {
                Responses.error(exchange, requestId, ErrorFormat.OPENAI, GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503,
                        "shutting_down").message("the gateway is shutting down; retry on another instance").build());
            }
        });
    }
}
