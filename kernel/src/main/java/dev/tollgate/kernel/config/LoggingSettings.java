package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * The {@code logging} section: where request records go.
 *
 * @param flushGrace how long shutdown waits for the sinks to take what is queued before spilling it
 * @param sinks      each sink, in order
 * @param startTraces whether a request that arrives without a {@code traceparent} gets a new trace
 *                    (for a tracing sink); otherwise only clients' traces are continued
 */
public record LoggingSettings(Duration flushGrace, List<Sink> sinks, boolean startTraces) {

    public LoggingSettings {
        requireNonNull(flushGrace, "flushGrace is null");
        sinks = List.copyOf(requireNonNull(sinks, "sinks is null"));
    }

    public static LoggingSettings none() {
        return new LoggingSettings(Duration.ofSeconds(5), List.of(), false);
    }

    /**
     * One sink.
     *
     * @param id            unique; names its spill folder ({@code <data>/spill/<id>}) and its metrics label
     * @param component     the sink factory and its configuration
     * @param queue         records held in memory before the spill takes the oldest
     * @param batchSize     records per write
     * @param flushInterval longest wait for a batch to fill
     * @param maxRetries    tries again of a failed write before the batch is split or spilled
     * @param backoffBase   wait before the first retry, doubled each time, with jitter
     * @param backoffCap    longest wait between tries (and between probes of a sink that is down)
     * @param spillMaxBytes disk the spill may use; records past it are dropped and counted
     */
    public record Sink(String id, ComponentSettings component, int queue, int batchSize, Duration flushInterval, int maxRetries,
            Duration backoffBase, Duration backoffCap, long spillMaxBytes) {

        public Sink {
            requireNonNull(id, "id is null");
            requireNonNull(component, "component is null");
        }
    }
}
