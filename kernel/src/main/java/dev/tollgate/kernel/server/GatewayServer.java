package dev.tollgate.kernel.server;

import dev.tollgate.kernel.codec.AnthropicMessagesCodec;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.codec.OpenAiChatCodec;
import dev.tollgate.kernel.codec.ResponsesCodec;
import dev.tollgate.kernel.config.ServerSettings;
import dev.tollgate.kernel.governance.Governance;
import dev.tollgate.kernel.governance.auth.Authenticator;
import dev.tollgate.kernel.io.IoBufferPool;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.kernel.pipeline.Model;
import dev.tollgate.kernel.pipeline.Pipeline;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The HTTP listener (Undertow's HTTP/1.1 protocol on an accepting channel the gateway owns, each
 * connection behind a {@link GuardedConnection}) and its routes.
 */
public final class GatewayServer {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    /** How long a connection closed after an error answer keeps reading what the client still sends. */
    static final long LINGER_MILLIS = 5000;

    private final AcceptingChannel<StreamConnection> acceptor;
    private final HttpOpenListener connections;
    private final ConnectionGuards guards;
    private final DescriptorReserve reserve;
    private final ShutdownGate gate;
    private final int port;

    private GatewayServer(AcceptingChannel<StreamConnection> acceptor, HttpOpenListener connections, ConnectionGuards guards,
            DescriptorReserve reserve, ShutdownGate gate, int port) {
        this.acceptor = acceptor;
        this.connections = connections;
        this.guards = guards;
        this.reserve = reserve;
        this.gate = gate;
        this.port = port;
    }

    /**
     * Starts listening. {@code governance} guards the {@code /v1} routes (a request without a
     * usable key gets 401 before its body is read) and serves {@code /admin/} on {@code blocking}.
     */
    public static GatewayServer start(ServerSettings s, XnioWorker worker, Map<String, Model> models, Pipeline pipeline,
            KernelMetrics kernelMetrics, Supplier<String> metrics, Governance governance, Executor blocking) {
        return start(s, worker, models, pipeline, kernelMetrics, metrics, governance, blocking, null);
    }

    /** As the other start, with stored OpenAI Responses kept by {@code responseState} ({@code null}: stateless). */
    public static GatewayServer start(ServerSettings s, XnioWorker worker, Map<String, Model> models, Pipeline pipeline,
            KernelMetrics kernelMetrics, Supplier<String> metrics, Governance governance, Executor blocking,
            dev.tollgate.kernel.responses.ResponseState responseState) {
        ShutdownGate gate = new ShutdownGate();
        RequestMemory memory = new RequestMemory(s.maxBufferedRequestBytes());
        var busy = kernelMetrics.counter("tollgate_server_busy_total",
                "Requests answered 503 server_busy: server.max_buffered_request_bytes was reached");
        RequestBodyReader bodies = new RequestBodyReader(s.maxRequestBytes(), memory, busy);
        InferenceHandler chat = new InferenceHandler(InferenceHandler.Kind.CHAT, "/v1/chat/completions",
                new OpenAiChatCodec(pipeline.warnings()), ErrorFormat.OPENAI, models, pipeline, bodies);
        InferenceHandler messages = new InferenceHandler(InferenceHandler.Kind.CHAT, "/v1/messages",
                new AnthropicMessagesCodec(pipeline.warnings()), ErrorFormat.ANTHROPIC, models, pipeline, bodies);
        ResponsesCodec responsesCodec = new ResponsesCodec(pipeline.warnings());
        InferenceHandler responses = new InferenceHandler(InferenceHandler.Kind.CHAT, "/v1/responses", responsesCodec,
                ErrorFormat.OPENAI, models, pipeline, bodies, responseState == null ? null
                        : new dev.tollgate.kernel.responses.ResponsesIntake(responseState, responsesCodec, governance.authenticator(), blocking,
                                name -> models.containsKey(name) ? models.get(name).reach(responsesCodec.format()) : null));
        InferenceHandler countTokens = new InferenceHandler(InferenceHandler.Kind.COUNT_TOKENS, "/v1/messages/count_tokens", null,
                ErrorFormat.ANTHROPIC, models, pipeline, bodies);
        InferenceHandler embeddings = new InferenceHandler(InferenceHandler.Kind.EMBEDDINGS, "/v1/embeddings", null,
                ErrorFormat.OPENAI, models, pipeline, bodies);
        Map<String, GatewayHandler.Route> routes = new HashMap<>();
        Authenticator keys = governance.authenticator();
        HttpHandler modelList = StaticHandlers.models(models.keySet(), System.currentTimeMillis() / 1000);
        for (String prefix : new String[] {"/v1", ""}) {
            routes.put(prefix + "/chat/completions", new GatewayHandler.Route("POST", KeyGuard.of(keys, ErrorFormat.OPENAI, chat)));
            routes.put(prefix + "/responses", new GatewayHandler.Route("POST", KeyGuard.of(keys, ErrorFormat.OPENAI, responses)));
            routes.put(prefix + "/messages", new GatewayHandler.Route("POST", KeyGuard.of(keys, ErrorFormat.ANTHROPIC, messages)));
            routes.put(prefix + "/messages/count_tokens", new GatewayHandler.Route("POST",
                    KeyGuard.of(keys, ErrorFormat.ANTHROPIC, countTokens)));
            routes.put(prefix + "/embeddings", new GatewayHandler.Route("POST", KeyGuard.of(keys, ErrorFormat.OPENAI, embeddings)));
            routes.put(prefix + "/models", new GatewayHandler.Route("GET", KeyGuard.of(keys, ErrorFormat.OPENAI, modelList)));
        }
        RequestBodyReader adminBodies = new RequestBodyReader(Math.min(s.maxRequestBytes(), AdminHandler.MAX_BODY_BYTES), memory, busy);
        AdminHandler admin = new AdminHandler(governance.admin(), adminBodies, blocking);
        routes.put("/health/live", new GatewayHandler.Route("GET", StaticHandlers.live()));
        routes.put("/health/ready", new GatewayHandler.Route("GET", StaticHandlers.ready(gate)));
        routes.put("/metrics", new GatewayHandler.Route("GET", StaticHandlers.metrics(metrics)));

        // The guard enforces the head limits and every deadline before Undertow parses; these are backstops.
        OptionMap undertowOptions = OptionMap.builder()
                .set(UndertowOptions.MAX_HEADER_SIZE, s.maxHeaderBytes() * 2 + 64 * 1024)
                .set(UndertowOptions.MAX_HEADERS, RequestFraming.MAX_FIELDS + 1)
                .set(UndertowOptions.MAX_PARAMETERS, s.maxHeaderBytes())
                .set(UndertowOptions.MAX_COOKIES, s.maxHeaderBytes())
                .set(UndertowOptions.MAX_ENTITY_SIZE, RequestBodyReader.DRAIN_CAP)
                .getMap();
        HttpOpenListener openListener = new HttpOpenListener(new IoBufferPool(true, 16 * 1024, IoBufferPool.MAX_IDLE), undertowOptions);
        HttpHandler storedResponses = null;
        if (responseState != null) {
            var stored = new dev.tollgate.kernel.responses.StoredResponsesHandler(responseState, keys, blocking);
            storedResponses = KeyGuard.of(keys, ErrorFormat.OPENAI, ex -> stored.handle(ex, ex.getAttachment(GatewayHandler.REQUEST_ID)));
        }
        openListener.setRootHandler(new GatewayHandler(routes, admin, gate, pipeline, storedResponses));
        DescriptorReserve reserve = DescriptorReserve.start(kernelMetrics.counter("tollgate_server_descriptor_exhaustion_total",
                "Times the process ran out of file descriptors and gave up its spare one to keep accepting"));
        ConnectionGuards guards = new ConnectionGuards(s, LINGER_MILLIS, memory, worker, openListener, kernelMetrics, reserve);
        AcceptingChannel<StreamConnection> acceptor;
        try {
            acceptor = worker.createStreamConnectionServer(new InetSocketAddress(s.host(), s.port()), guards,
                    OptionMap.builder()
                            .set(Options.TCP_NODELAY, true)
                            .set(Options.REUSE_ADDRESSES, true)
                            .set(Options.BACKLOG, 4096)
                            .getMap());
        } catch (IOException e) {
            reserve.close();
            throw new ListenException(e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")
                    ? "port " + s.port() + " on " + s.host() + " is already in use"
                    : "cannot listen on " + s.host() + ":" + s.port() + ": " + e.getMessage(), e);
        }
        acceptor.resumeAccepts();
        warnWhenDescriptorsAreShort(s.maxConnections());
        int bound = acceptor.getLocalAddress(InetSocketAddress.class).getPort();
        return new GatewayServer(acceptor, openListener, guards, reserve, gate, bound);
    }

    /** Each client connection may need an upstream one too, plus the process's own files. */
    private static void warnWhenDescriptorsAreShort(int maxConnections) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            long wanted = 2L * maxConnections + 256;
            if (limit < wanted) {
                log.warn("the open-file limit is {}, but server.max_connections {} may need about {} (a client and an upstream "
                        + "socket each); raise the limit (ulimit -n) or lower max_connections", limit, maxConnections, wanted);
            }
        }
    }

    public int port() {
        return port;
    }

    public long inFlight() {
        return gate.active();
    }

    /**
     * Closes the listening socket (new connections are refused; open ones live on), closes idle
     * connections, answers requests still arriving and new requests on open connections with 503,
     * and waits for the requests in flight.
     */
    public boolean drain(Duration grace) throws InterruptedException {
        gate.close();
        IoUtils.safeClose(acceptor);
        guards.drain();
        return gate.awaitIdle(grace.toMillis());
    }

    /** Waits up to {@code grace} for the requests in flight; false when some are left. */
    public boolean awaitIdle(Duration grace) throws InterruptedException {
        return gate.awaitIdle(grace.toMillis());
    }

    public void stop() {
        guards.stop();
        IoUtils.safeClose(acceptor);
        connections.closeConnections();
        reserve.close();
    }
}
