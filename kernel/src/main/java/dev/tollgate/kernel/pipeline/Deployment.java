package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.routing.Candidate;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** A configured deployment with its live adapter; the routing view of it is the {@link Candidate}. */
public final class Deployment implements Candidate {

    /**
     * The deadlines of one attempt on this deployment.
     *
     * @param firstEvent  to the first streamed event (a stream is committed only then)
     * @param streamIdle  between two streamed events; only events count, not keep-alive comments
     * @param total       the whole attempt, streamed or not
     */
    public record Timeouts(Duration firstEvent, Duration streamIdle, Duration total) {
        public Timeouts {
            requireNonNull(firstEvent, "firstEvent is null");
            requireNonNull(streamIdle, "streamIdle is null");
            requireNonNull(total, "total is null");
        }
    }

    private final String id;
    private final String model;
    private final String provider;
    private final String upstreamModel;
    private final int weight;
    private final Timeouts timeouts;
    private final ProviderAdapter adapter;
    private final SupportsEmbeddings embeddings;
    private final ClassLoader pluginLoader;
    private final Set<WireFormat> nativeFormats;
    private final ModelInfo modelInfo;
    private final AtomicInteger inFlight = new AtomicInteger();

    public Deployment(String id, String model, String provider, String upstreamModel, int weight, Timeouts timeouts,
            ProviderAdapter adapter, SupportsEmbeddings embeddings, ClassLoader pluginLoader, ModelInfo modelInfo) {
        this.id = requireNonNull(id, "id is null");
        this.model = requireNonNull(model, "model is null");
        this.provider = requireNonNull(provider, "provider is null");
        this.upstreamModel = requireNonNull(upstreamModel, "upstreamModel is null");
        this.weight = weight;
        this.timeouts = requireNonNull(timeouts, "timeouts is null");
        this.adapter = requireNonNull(adapter, "adapter is null");
        this.embeddings = embeddings;
        this.pluginLoader = requireNonNull(pluginLoader, "pluginLoader is null");
        Set<WireFormat> formats = adapter.nativeFormats();
        this.nativeFormats = formats == null ? Set.of() : Set.copyOf(formats);
        this.modelInfo = modelInfo;
    }

    @Override
    public String id() {
        return id;
    }

    /** The client-facing model this deployment serves. */
    public String model() {
        return model;
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public String upstreamModel() {
        return upstreamModel;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public Optional<ModelInfo> modelInfo() {
        return Optional.ofNullable(modelInfo);
    }

    Timeouts timeouts() {
        return timeouts;
    }

    ProviderAdapter adapter() {
        return adapter;
    }

    /** Whether requests in {@code format} pass through this deployment's adapter untouched. */
    boolean speaks(WireFormat format) {
        return nativeFormats.contains(format);
    }

    /** The embeddings ability, or {@code null} when the adapter has none. */
    SupportsEmbeddings embeddings() {
        return embeddings;
    }

    ClassLoader pluginLoader() {
        return pluginLoader;
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void ended() {
        inFlight.decrementAndGet();
    }
}
