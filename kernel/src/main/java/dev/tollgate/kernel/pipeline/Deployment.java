package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.config.CircuitSettings;
import dev.tollgate.kernel.config.RetrySettings;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.routing.Candidate;
import dev.tollgate.spi.routing.Health;
import dev.tollgate.spi.time.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A configured deployment with its live adapter; the routing view of it is the {@link Candidate},
 * whose statistics the kernel keeps here from every attempt's end.
 *
 * <p>Latencies are peak-EWMAs: a sample above the average replaces it at once (a deployment that
 * turns slow is avoided from its next answer on), a lower one pulls it down with a weight that
 * grows with the time since the previous sample ({@link #DECAY} time constant). An average that
 * receives no samples (because a strategy avoids the deployment) decays towards zero with the
 * same constant when read, so an avoided deployment is probed again after a while and wins its
 * traffic back once it has recovered. The error rate is an EWMA over attempts (weight 1/10).
 */
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
    private final int tier;
    private final RetrySettings retry;
    private final Circuit circuit;
    private final Ticker ticker;

    /** Time constant of the latency averages and of an unsampled average's decay. */
    static final long DECAY = Duration.ofSeconds(10).toNanos();
    private final Object statsLock = new Object();
    private volatile double latencyMicros = Double.NaN;
    private volatile long latencyAt;
    private volatile double ttftMicros = Double.NaN;
    private volatile long ttftAt;
    private volatile double errorRate;

    public Deployment(String id, String model, String provider, String upstreamModel, int weight, Timeouts timeouts,
            ProviderAdapter adapter, SupportsEmbeddings embeddings, ClassLoader pluginLoader, ModelInfo modelInfo) {
        this(id, model, provider, upstreamModel, weight, timeouts, adapter, embeddings, pluginLoader, modelInfo, 0,
                RetrySettings.DEFAULTS, CircuitSettings.DEFAULTS, Ticker.system());
    }

    /**
     * @param tier    priority tier, 0 first
     * @param retry   retries on this deployment within one request
     * @param circuit its circuit breaker's settings
     * @param ticker  the time of its statistics and circuit
     */
    public Deployment(String id, String model, String provider, String upstreamModel, int weight, Timeouts timeouts,
            ProviderAdapter adapter, SupportsEmbeddings embeddings, ClassLoader pluginLoader, ModelInfo modelInfo, int tier,
            RetrySettings retry, CircuitSettings circuit, Ticker ticker) {
        this.tier = tier;
        this.retry = requireNonNull(retry, "retry is null");
        this.circuit = new Circuit(requireNonNull(circuit, "circuit is null"));
        this.ticker = requireNonNull(ticker, "ticker is null");
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

    @Override
    public OptionalLong latencyEwmaMicros() {
        return decayed(latencyMicros, latencyAt);
    }

    @Override
    public OptionalLong timeToFirstTokenEwmaMicros() {
        return decayed(ttftMicros, ttftAt);
    }

    @Override
    public double errorRate() {
        return errorRate;
    }

    @Override
    public Health health() {
        return circuit.health(ticker.nanoTime());
    }

    @Override
    public int tier() {
        return tier;
    }

    private OptionalLong decayed(double value, long at) {
        if (Double.isNaN(value)) {
            return OptionalLong.empty();
        }
        long age = ticker.nanoTime() - at;
        return OptionalLong.of(Math.round(age <= 0 ? value : value * Math.exp(-(double) age / DECAY)));
    }

    RetrySettings retry() {
        return retry;
    }

    Circuit circuit() {
        return circuit;
    }

    /** A failed attempt: the circuit counts it when it says the deployment is in trouble, else it was answered. */
    void failed(GatewayException error, long now) {
        FailureClass c = FailureClass.of(error);
        if (c.countsAgainstDeployment()) {
            circuit.failed(now, c, error.retryAfter().orElse(null));
        } else if (c == FailureClass.OTHER) {
            circuit.released();
        } else {
            circuit.succeeded();
        }
    }

    /** When an upstream says a limit is used up but not when it resets. */
    static final Duration DEFAULT_RATE_LIMIT_RESET = Duration.ofSeconds(1);

    /**
     * The rate-limit headers of an upstream answer (OpenAI's {@code x-ratelimit-remaining-requests},
     * {@code x-ratelimit-remaining-tokens} and their {@code x-ratelimit-reset-*}, as OpenAI-compatible
     * servers send them): a remaining count of 0 takes the deployment out of routing until that
     * limit's reset, so the next request goes to a sibling or fallback instead of earning a 429. An
     * answer with both counts above 0 ends it. Headers that are absent or not numbers change nothing.
     */
    void observeRateLimits(dev.tollgate.spi.http.Headers headers) {
        if (headers == null) {
            return;
        }
        long requests = count(headers, "x-ratelimit-remaining-requests");
        long tokens = count(headers, "x-ratelimit-remaining-tokens");
        if (requests < 0 && tokens < 0) {
            return;
        }
        Duration reset = null;
        if (requests == 0) {
            reset = later(reset, resetOf(headers, "x-ratelimit-reset-requests"));
        }
        if (tokens == 0) {
            reset = later(reset, resetOf(headers, "x-ratelimit-reset-tokens"));
        }
        if (reset != null) {
            circuit.exhausted(ticker.nanoTime(), reset);
        } else {
            circuit.replenished();
        }
    }

    /** A header's non-negative integer, -1 when absent or not one. */
    private static long count(dev.tollgate.spi.http.Headers headers, String name) {
        String v = headers.first(name).orElse(null);
        if (v == null || v.isEmpty() || v.length() > 18) {
            return -1;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Duration resetOf(dev.tollgate.spi.http.Headers headers, String name) {
        return headers.first(name).map(Deployment::parseReset).orElse(DEFAULT_RATE_LIMIT_RESET);
    }

    private static Duration later(Duration a, Duration b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }

    /**
     * OpenAI's reset durations: a sequence of number-and-unit parts ({@code 20ms}, {@code 1s},
     * {@code 6m0s}, {@code 1h2m3.5s}); a bare number is seconds. Anything else is the default.
     */
    static Duration parseReset(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.length() > 32) {
            return DEFAULT_RATE_LIMIT_RESET;
        }
        double nanos = 0;
        int i = 0;
        while (i < v.length()) {
            int start = i;
            while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return DEFAULT_RATE_LIMIT_RESET;
            }
            double n;
            try {
                n = Double.parseDouble(v.substring(start, i));
            } catch (NumberFormatException e) {
                return DEFAULT_RATE_LIMIT_RESET;
            }
            int unitStart = i;
            while (i < v.length() && Character.isLetter(v.charAt(i))) {
                i++;
            }
            double unit = switch (v.substring(unitStart, i)) {
                case "", "s" -> 1e9;
                case "ms" -> 1e6;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> -1;
            };
            if (unit < 0 || (unitStart == i && i < v.length())) {
                return DEFAULT_RATE_LIMIT_RESET;
            }
            nanos += n * unit;
        }
        return nanos > 0 ? Duration.ofNanos((long) Math.min(nanos, Duration.ofDays(1).toNanos())) : DEFAULT_RATE_LIMIT_RESET;
    }

    /** Statistics of an attempt that ended; {@code firstEvent} is -1 when none came. */
    private void observe(AttemptRecord.Result result, long start, long firstEvent, long end) {
        if (result == AttemptRecord.Result.CANCELLED) {
            circuit.released();
            return;
        }
        synchronized (statsLock) {
            errorRate = errorRate * 0.9 + (result == AttemptRecord.Result.FAILED ? 0.1 : 0);
            if (result == AttemptRecord.Result.SUCCEEDED) {
                circuit.succeeded();
                latencyMicros = peakEwma(latencyMicros, latencyAt, (end - start) / 1000.0, end);
                latencyAt = end;
            }
            if (firstEvent >= 0) {
                ttftMicros = peakEwma(ttftMicros, ttftAt, (firstEvent - start) / 1000.0, end);
                ttftAt = end;
            }
        }
    }

    private static double peakEwma(double average, long at, double sample, long now) {
        if (Double.isNaN(average)) {
            return sample;
        }
        // the stored average as it reads now: an old one has decayed
        double current = average * Math.exp(-(double) Math.max(0, now - at) / DECAY);
        if (sample >= current) {
            return sample;
        }
        double w = Math.exp(-(double) Math.max(0, now - at) / DECAY);
        return current * w + sample * (1 - w);
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

    void ended(AttemptRecord.Result result, long start, long firstEvent, long end) {
        inFlight.decrementAndGet();
        observe(result, start, firstEvent, end);
    }
}
