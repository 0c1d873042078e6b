package dev.tollgate.kernel.server;

import dev.tollgate.kernel.config.ServerSettings;
import dev.tollgate.kernel.pipeline.Endpoint;
import dev.tollgate.kernel.pipeline.Model;
import dev.tollgate.kernel.pipeline.Pipeline;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.xnio.Options;
import org.xnio.XnioWorker;

/** The Undertow listener and its routes. */
public final class GatewayServer {

    private final Undertow undertow;
    private final ShutdownGate gate;
    private final int port;

    private GatewayServer(Undertow undertow, ShutdownGate gate, int port) {
        this.undertow = undertow;
        this.gate = gate;
        this.port = port;
    }

    public static GatewayServer start(ServerSettings s, XnioWorker worker, Map<String, Model> models, Pipeline pipeline,
            Supplier<String> metrics) {
        ShutdownGate gate = new ShutdownGate();
        InferenceHandler chat = new InferenceHandler(Endpoint.CHAT_COMPLETIONS, models, pipeline, s.maxRequestBytes());
        InferenceHandler embeddings = new InferenceHandler(Endpoint.EMBEDDINGS, models, pipeline, s.maxRequestBytes());
        Map<String, GatewayHandler.Route> routes = new HashMap<>();
        for (String prefix : new String[] {"/v1", ""}) {
            routes.put(prefix + "/chat/completions", new GatewayHandler.Route("POST", chat));
            routes.put(prefix + "/embeddings", new GatewayHandler.Route("POST", embeddings));
            routes.put(prefix + "/models", new GatewayHandler.Route("GET",
                    StaticHandlers.models(models.keySet(), System.currentTimeMillis() / 1000)));
        }
        routes.put("/health/live", new GatewayHandler.Route("GET", StaticHandlers.live()));
        routes.put("/health/ready", new GatewayHandler.Route("GET", StaticHandlers.ready(gate)));
        routes.put("/metrics", new GatewayHandler.Route("GET", StaticHandlers.metrics(metrics)));

        int idleMillis = (int) Math.min(Integer.MAX_VALUE, s.idleTimeout().toMillis());
        Undertow undertow = Undertow.builder()
                .setWorker(worker)
                .addHttpListener(s.port(), s.host())
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, Math.max(1024 * 1024, s.maxHeaderBytes() * 2))
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, InferenceHandler.DRAIN_CAP)
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, idleMillis)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, idleMillis)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
                .setSocketOption(Options.TCP_NODELAY, true)
                .setSocketOption(Options.BACKLOG, 4096)
                .setHandler(new GatewayHandler(routes, gate, s.maxHeaderBytes()))
                .build();
        undertow.start();
        int bound = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        return new GatewayServer(undertow, gate, bound);
    }

    public int port() {
        return port;
    }

    public long inFlight() {
        return gate.active();
    }

    public boolean drain(Duration grace) throws InterruptedException {
        gate.close();
        undertow.getListenerInfo().forEach(Undertow.ListenerInfo::suspend);
        return gate.awaitIdle(grace.toMillis());
    }

    public void stop() {
        undertow.stop();
    }
}
