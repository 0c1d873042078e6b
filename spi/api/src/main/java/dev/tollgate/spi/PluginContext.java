package dev.tollgate.spi;

import dev.tollgate.spi.catalog.ModelCatalog;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.time.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * What the kernel offers a plugin. Every method has a default that throws, so that this interface
 * can grow without breaking plugins and a test double implements only what it needs.
 */
public interface PluginContext {

    /** The SPI version the kernel implements, for example {@code 1.0.0}. */
    default String spiVersion() {
        throw new UnsupportedOperationException("spiVersion");
    }

    /** The id of the plugin this context was handed to. */
    default String pluginId() {
        throw new UnsupportedOperationException("pluginId");
    }

    /** Wall clock, for calendar arithmetic and timestamps; tests substitute a manual one. */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /** Monotonic time, for durations and deadlines; tests substitute a manual one. */
    default Ticker ticker() {
        return Ticker.system();
    }

    /** The model catalog: prices, context windows, output limits, capabilities. */
    default ModelCatalog models() {
        throw new UnsupportedOperationException("models");
    }

    /** Counters and gauges that appear in the kernel's metrics, prefixed with the plugin id. */
    default Metrics metrics() {
        throw new UnsupportedOperationException("metrics");
    }

    /**
     * The kernel's pooled, non-blocking HTTP client, for calls that belong to no request (token
     * refresh, model discovery). Inside a request use {@link dev.tollgate.spi.provider.ProviderCall#http()},
     * which is cancelled with the request.
     */
    default UpstreamHttp http() {
        throw new UnsupportedOperationException("http");
    }

    /** Shared state: in-process by default, Redis when a state plugin is configured. */
    default StateBackend state() {
        throw new UnsupportedOperationException("state");
    }

    /**
     * Runs blocking work (JDBC, files, a blocking client) on a virtual thread, never on an I/O
     * thread, and completes with its result or exception. Hooks that must not block (policies,
     * adapters) return this stage; the kernel moves back to the request's thread itself.
     */
    default <T> CompletionStage<T> offload(Callable<T> work) {
        throw new UnsupportedOperationException("offload");
    }

    /**
     * The gateway's data folder ({@code governance.data_dir}, {@code <home>/data} by default). A
     * plugin that keeps files (logs, indexes) writes them under a sub-folder of its own here, so
     * operators back up and clean one place.
     */
    default Path dataDir() {
        throw new UnsupportedOperationException("dataDir");
    }

    /** A logger named after the plugin. */
    default System.Logger logger() {
        return System.getLogger("tollgate.plugin");
    }
}
