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
 * @param bodies      whose request and response bodies the records hold
 * @param usageFrom   the id of the sink {@code /admin/usage} answers from, or {@code null} for the ledger
 */
public record LoggingSettings(Duration flushGrace, List<Sink> sinks, boolean startTraces, Bodies bodies, String usageFrom) {

    public LoggingSettings {
        requireNonNull(flushGrace, "flushGrace is null");
        sinks = List.copyOf(requireNonNull(sinks, "sinks is null"));
        bodies = bodies == null ? Bodies.NONE : bodies;
    }

    public LoggingSettings(Duration flushGrace, List<Sink> sinks, boolean startTraces) {
        this(flushGrace, sinks, startTraces, Bodies.NONE, null);
    }

    public static LoggingSettings none() {
        return new LoggingSettings(Duration.ofSeconds(5), List.of(), false, Bodies.NONE, null);
    }

    /**
     * Which requests' bodies go into their records (none by default), how much of each, and the
     * operator's redaction patterns.
     *
     * @param models   client-facing model names, or {@code *} for every model
     * @param keys     virtual key ids
     * @param maxBytes the most of each body kept
     * @param redact   patterns replaced in each body, after the built-in ones
     */
    public record Bodies(java.util.Set<String> models, java.util.Set<String> keys, int maxBytes,
            List<dev.tollgate.kernel.records.BodyRedactor.Rule> redact) {

        public static final Bodies NONE = new Bodies(java.util.Set.of(), java.util.Set.of(), 64 * 1024, List.of());

        public Bodies {
            models = java.util.Set.copyOf(models);
            keys = java.util.Set.copyOf(keys);
            redact = List.copyOf(redact);
        }

        public boolean enabledFor(String model, String keyId) {
            return models.contains("*") || model != null && models.contains(model) || keyId != null && keys.contains(keyId);
        }

        public boolean any() {
            return !models.isEmpty() || !keys.isEmpty();
        }
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
