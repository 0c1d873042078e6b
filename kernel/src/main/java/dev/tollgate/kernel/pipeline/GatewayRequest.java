package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.provider.Usage;
import io.undertow.server.HttpServerExchange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.xnio.XnioIoThread;

/**
 * The state of one client request as it passes the pipeline. Confined to its I/O thread, except
 * while policies run on a virtual thread (the I/O thread does not touch it then).
 */
public final class GatewayRequest {

    final HttpServerExchange exchange;
    final XnioIoThread thread;
    final String requestId;
    final long startNanos;
    final Instant startedAt;
    final Endpoint endpoint;
    final Model model;
    final boolean stream;
    final boolean includeUsage;
    final Bytes body;

    Principal principal = Principal.ANONYMOUS;
    final List<PolicyChain.Admitted> admitted = new ArrayList<>(0);
    Headers responseHeaders = Headers.EMPTY;
    Deployment deployment;
    Attempt attempt;
    Usage usage = Usage.ZERO;
    String errorCode;
    long firstChunkNanos = -1;
    boolean attemptFinished;
    boolean clientGone;

    public GatewayRequest(HttpServerExchange exchange, String requestId, long startNanos, Instant startedAt, Endpoint endpoint,
            Model model, boolean stream, boolean includeUsage, Bytes body) {
        this.exchange = exchange;
        this.thread = exchange.getIoThread();
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.startedAt = startedAt;
        this.endpoint = endpoint;
        this.model = model;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.body = body;
    }

    void addResponseHeaders(Admission admission) {
        if (admission.responseHeaders().size() > 0) {
            Headers.Builder b = responseHeaders.toBuilder();
            for (int i = 0; i < admission.responseHeaders().size(); i++) {
                b.add(admission.responseHeaders().name(i), admission.responseHeaders().value(i));
            }
            responseHeaders = b.build();
        }
    }
}
