package dev.tollgate.kernel.plugin;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.kernel.upstream.UpstreamClient;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.catalog.ModelCatalog;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.time.Ticker;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.xnio.XnioIoThread;

/** What the kernel hands one plugin. */
public final class KernelPluginContext implements PluginContext {

    private final String pluginId;
    private final String spiVersion;
    private final Metrics metrics;
    private final UpstreamHttp http;
    private final StateBackend state;
    private final ModelCatalog models;
    private final Ticker ticker;
    private final System.Logger logger;
    private final ClassLoader loader;
    private final Executor offload;
    private final Clock clock;
    private final java.nio.file.Path dataDir;

    public KernelPluginContext(String pluginId, String spiVersion, ClassLoader loader, KernelMetrics metrics,
            UpstreamClient client, StateBackend state, ModelCatalog models, Executor offload, Ticker ticker, Clock clock) {
        this(pluginId, spiVersion, loader, metrics, client, state, models, offload, ticker, clock, null);
    }

    /** @param dataDir the gateway's data folder, or {@code null} when it has none (then {@link #dataDir()} throws) */
    public KernelPluginContext(String pluginId, String spiVersion, ClassLoader loader, KernelMetrics metrics,
            UpstreamClient client, StateBackend state, ModelCatalog models, Executor offload, Ticker ticker, Clock clock,
            java.nio.file.Path dataDir) {
        this.dataDir = dataDir;
        this.loader = loader;
        this.offload = offload;
        this.clock = clock;
        this.pluginId = pluginId;
        this.spiVersion = spiVersion;
        this.metrics = metrics.forPlugin(pluginId);
        this.http = new Unbound(client, loader);
        this.state = state;
        this.models = requireNonNull(models, "models is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.logger = System.getLogger("tollgate.plugin." + pluginId);
    }

    @Override
    public String spiVersion() {
        return spiVersion;
    }

    @Override
    public String pluginId() {
        return pluginId;
    }

    @Override
    public ModelCatalog models() {
        return models;
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public UpstreamHttp http() {
        return http;
    }

    @Override
    public StateBackend state() {
        return state;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public java.nio.file.Path dataDir() {
        if (dataDir == null) {
            throw new UnsupportedOperationException("this gateway has no data folder");
        }
        return dataDir;
    }

    @Override
    public <T> CompletionStage<T> offload(Callable<T> work) {
        CompletableFuture<T> out = new CompletableFuture<>();
        offload.execute(() -> ContextClassLoader.run(loader, () -> {
            try {
                out.complete(work.call());
            } catch (Throwable t) {
                out.completeExceptionally(t);
            }
        }));
        return out;
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    /** The client for calls that belong to no request: each runs on some I/O thread. */
    private record Unbound(UpstreamClient client, ClassLoader loader) implements UpstreamHttp {
        @Override
        public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
            CompletableFuture<UpstreamResponse> out = new CompletableFuture<>();
            XnioIoThread thread = client.anyIoThread();
            thread.execute(() -> client.send(thread, request, null).whenComplete((r, e) ->
                    ContextClassLoader.run(loader, () -> {
                        if (e != null) {
                            out.completeExceptionally(e);
                        } else {
                            out.complete(r);
                        }
                    })));
            return out;
        }

        @Override
        public void stream(UpstreamRequest request, ResponseHandler handler) {
            XnioIoThread thread = client.anyIoThread();
            thread.execute(() -> client.exchange(thread, request, handler));
        }
    }
}
