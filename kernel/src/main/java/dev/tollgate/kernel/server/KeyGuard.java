package dev.tollgate.kernel.server;

import dev.tollgate.kernel.pipeline.Lifecycle;
import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.governance.auth.Authenticator;
import dev.tollgate.spi.GatewayException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Refuses an API request without a usable key before its body is read, in the API's error shape:
 * so a caller without a key learns neither which models exist nor anything from endpoints that
 * answer without the policy chain ({@code /v1/models}, {@code count_tokens}). The principal it
 * establishes is handed to the policies ({@link Lifecycle#AUTHENTICATED}), so the key is looked up once.
 */
final class KeyGuard implements HttpHandler {

    private final Authenticator authenticator;
    private final ErrorFormat errors;
    private final HttpHandler next;

    private KeyGuard(Authenticator authenticator, ErrorFormat errors, HttpHandler next) {
        this.authenticator = authenticator;
        this.errors = errors;
        this.next = next;
    }

    /** {@code next} behind the guard, or {@code next} itself when keys are not required. */
    static HttpHandler of(Authenticator authenticator, ErrorFormat errors, HttpHandler next) {
        return authenticator.required() ? new KeyGuard(authenticator, errors, next) : next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        try {
            exchange.putAttachment(Lifecycle.AUTHENTICATED, authenticator.authenticate(name -> exchange.getRequestHeaders().getFirst(name)));
        } catch (GatewayException e) {
            Responses.error(exchange, exchange.getAttachment(GatewayHandler.REQUEST_ID), errors, e);
            return;
        }
        next.handleRequest(exchange);
    }
}
