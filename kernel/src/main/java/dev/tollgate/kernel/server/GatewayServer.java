package dev.tollgate.kernel.server;

import dev.tollgate.kernel.codec.AnthropicMessagesCodec;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.codec.OpenAiChatCodec;
import dev.tollgate.kernel.config.ServerSettings;
import dev.tollgate.kernel.pipeline.Model;
import dev.tollgate.kernel.pipeline.Pipeline;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/** The HTTP listener (Undertow's HTTP/1.1 protocol on an accepting channel the gateway owns) and its routes. */
public final class GatewayServer {

    private final AcceptingChannel<StreamConnection> acceptor;
    private final HttpOpenListener connections;
    private final ShutdownGate gate;
    private final int port;

    private GatewayServer(AcceptingChannel<StreamConnection> acceptor, HttpOpenListener connections, ShutdownGate gate, int port) {
        this.acceptor = acceptor;
        this.connections = connections;
        this.gate = gate;
        this.port = port;
    }

    public static GatewayServer start(ServerSettings s, XnioWorker worker, Map<String, Model> models, Pipeline pipeline,
            Supplier<String> metrics) {
        ShutdownGate gate = new ShutdownGate();
        long max = s.maxRequestBytes();
        InferenceHandler chat = new InferenceHandler(InferenceHandler.Kind.CHAT, "/v1/chat/completions",
                new OpenAiChatCodec(pipeline.warnings()), ErrorFormat.OPENAI, models, pipeline, max);
        InferenceHandler messages = new InferenceHandler(InferenceHandler.Kind.CHAT, "/v1/messages",
                new AnthropicMessagesCodec(pipeline.warnings()), ErrorFormat.ANTHROPIC, models, pipeline, max);
        InferenceHandler countTokens = new InferenceHandler(InferenceHandler.Kind.COUNT_TOKENS, "/v1/messages/count_tokens", null,
                ErrorFormat.ANTHROPIC, models, pipeline, max);
        InferenceHandler embeddings = new InferenceHandler(InferenceHandler.Kind.EMBEDDINGS, "/v1/embeddings", null,
                ErrorFormat.OPENAI, models, pipeline, max);
        Map<String, GatewayHandler.Route> routes = new HashMap<>();
        for (String prefix : new String[] {"/v1", ""}) {
            routes.put(prefix + "/chat/completions", new GatewayHandler.Route("POST", chat));
            routes.put(prefix + "/messages", new GatewayHandler.Route("POST", messages));
            routes.put(prefix + "/messages/count_tokens", new GatewayHandler.Route("POST", countTokens));
            routes.put(prefix + "/embeddings", new GatewayHandler.Route("POST", embeddings));
            routes.put(prefix + "/models", new GatewayHandler.Route("GET",
                    StaticHandlers.models(models.keySet(), System.currentTimeMillis() / 1000)));
        }
        routes.put("/health/live", new GatewayHandler.Route("GET", StaticHandlers.live()));
        routes.put("/health/ready", new GatewayHandler.Route("GET", StaticHandlers.ready(gate)));
        routes.put("/metrics", new GatewayHandler.Route("GET", StaticHandlers.metrics(metrics)));

        int idleMillis = (int) Math.min(Integer.MAX_VALUE, s.idleTimeout().toMillis());
        OptionMap undertowOptions = OptionMap.builder()
                .set(UndertowOptions.MAX_HEADER_SIZE, Math.max(1024 * 1024, s.maxHeaderBytes() * 2))
                .set(UndertowOptions.MAX_ENTITY_SIZE, InferenceHandler.DRAIN_CAP)
                .set(UndertowOptions.IDLE_TIMEOUT, idleMillis)
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, idleMillis)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
                .getMap();
        HttpOpenListener openListener = new HttpOpenListener(new DefaultByteBufferPool(true, 16 * 1024, -1, 4), undertowOptions);
        openListener.setRootHandler(new GatewayHandler(routes, gate, s.maxHeaderBytes()));
        AcceptingChannel<StreamConnection> acceptor;
        try {
            acceptor = worker.createStreamConnectionServer(new InetSocketAddress(s.host(), s.port()),
                    ChannelListeners.openListenerAdapter(openListener),
                    OptionMap.builder()
                            .set(Options.TCP_NODELAY, true)
                            .set(Options.REUSE_ADDRESSES, true)
                            .set(Options.BACKLOG, 4096)
                            .getMap());
        } catch (IOException e) {
            throw new ListenException(e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")
                    ? "port " + s.port() + " on " + s.host() + " is already in use"
                    : "cannot listen on " + s.host() + ":" + s.port() + ": " + e.getMessage(), e);
        }
        acceptor.resumeAccepts();
        int bound = acceptor.getLocalAddress(InetSocketAddress.class).getPort();
        return new GatewayServer(acceptor, openListener, gate, bound);
    }

    public int port() {
        return port;
    }

    public long inFlight() {
        return gate.active();
    }

    /**
     * Closes the listening socket (new connections are refused; open ones live on), answers new
     * requests on open connections with 503, and waits for the requests in flight.
     */
    public boolean drain(Duration grace) throws InterruptedException {
        gate.close();
        IoUtils.safeClose(acceptor);
        return gate.awaitIdle(grace.toMillis());
    }

    /** Waits up to {@code grace} for the requests in flight; false when some are left. */
    public boolean awaitIdle(Duration grace) throws InterruptedException {
        return gate.awaitIdle(grace.toMillis());
    }

    public void stop() {
        IoUtils.safeClose(acceptor);
        connections.closeConnections();
    }
}
