package dev.tollgate.kernel.server;

import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.governance.admin.AdminApi;
import dev.tollgate.kernel.governance.admin.AdminRequest;
import dev.tollgate.kernel.governance.admin.AdminResponse;
import dev.tollgate.spi.GatewayException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/*}: reads the body without blocking (bounded like every body), runs the
 * {@link AdminApi}, which blocks on the store, on the blocking executor, and writes its answer
 * back on the exchange's I/O thread.
 */
final class AdminHandler implements HttpHandler {

    /** Largest admin request body. */
    static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final String[] CREDENTIAL_HEADERS = {"authorization", "x-api-key"};

    private final AdminApi api;
    private final RequestBodyReader bodies;
    private final Executor blocking;

    AdminHandler(AdminApi api, RequestBodyReader bodies, Executor blocking) {
        this.api = api;
        this.bodies = bodies;
        this.blocking = blocking;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String id = exchange.getAttachment(GatewayHandler.REQUEST_ID);
        Map<String, String> headers = new HashMap<>();
        for (String name : CREDENTIAL_HEADERS) {
            String v = exchange.getRequestHeaders().getFirst(name);
            if (v != null) {
                headers.put(name, v);
            }
        }
        bodies.read(exchange, id, ErrorFormat.OPENAI, (ex, body) -> {
            AdminRequest request = new AdminRequest(ex.getRequestMethod().toString(), ex.getRelativePath(), ex.getQueryString(),
                    name -> headers.get(name.toLowerCase(Locale.ROOT)), body);
            ex.dispatch(SameThreadExecutor.INSTANCE, () -> run(ex, id, request));
        });
    }

    private void run(HttpServerExchange exchange, String id, AdminRequest request) {
        try {
            blocking.execute(() -> {
                AdminResponse r;
                try {
                    r = api.handle(request);
                } catch (RuntimeException e) {
                    log.error("admin request {} {} failed", request.method(), request.path(), e);
                    GatewayException internal = GatewayException.internal("the admin request failed; see the gateway's log", e);
                    r = new AdminResponse(500, ErrorFormat.OPENAI.body(internal));
                }
                AdminResponse answer = r;
                exchange.getIoThread().execute(() -> Responses.json(exchange, answer.status(), answer.body()));
            });
        } catch (RejectedExecutionException e) {
            Responses.error(exchange, id, GatewayException.builder(dev.tollgate.spi.ErrorType.UPSTREAM_SERVER, 503, "shutting_down")
                    .message("the gateway is shutting down; retry on another instance").build());
        }
    }
}
