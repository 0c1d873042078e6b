package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.routing.Candidate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A configured deployment with its live adapter; the routing view of it is the {@link Candidate}. */
public final class Deployment implements Candidate {

    private final String id;
    private final String provider;
    private final String upstreamModel;
    private final int weight;
    private final Duration ttftTimeout;
    private final ProviderAdapter adapter;
    private final SupportsEmbeddings embeddings;
    private final ClassLoader pluginLoader;
    private final AtomicInteger inFlight = new AtomicInteger();

    public Deployment(String id, String provider, String upstreamModel, int weight, Duration ttftTimeout,
            ProviderAdapter adapter, SupportsEmbeddings embeddings, ClassLoader pluginLoader) {
        this.id = requireNonNull(id, "id is null");
        this.provider = requireNonNull(provider, "provider is null");
        this.upstreamModel = requireNonNull(upstreamModel, "upstreamModel is null");
        this.weight = weight;
        this.ttftTimeout = requireNonNull(ttftTimeout, "ttftTimeout is null");
        this.adapter = requireNonNull(adapter, "adapter is null");
        this.embeddings = embeddings;
        this.pluginLoader = requireNonNull(pluginLoader, "pluginLoader is null");
    }

    @Override
    public String id() {
        return id;
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

    Duration ttftTimeout() {
        return ttftTimeout;
    }

    ProviderAdapter adapter() {
        return adapter;
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
