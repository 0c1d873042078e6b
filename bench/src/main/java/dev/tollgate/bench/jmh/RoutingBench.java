package dev.tollgate.bench.jmh;

import dev.tollgate.kernel.config.CircuitSettings;
import dev.tollgate.kernel.config.RetrySettings;
import dev.tollgate.kernel.pipeline.Deployment;
import dev.tollgate.kernel.pipeline.WeightedRandom;
import dev.tollgate.plugin.routing.RoutingStrategiesPlugin;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import dev.tollgate.spi.time.Ticker;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One routing decision among {@value #DEPLOYMENTS} deployments of a model, as the kernel makes it
 * per attempt: the route request built, the strategy's choice over the kernel's live
 * {@link Deployment}s (their peak-EWMA latencies, in-flight counts, circuits and prices read as
 * the strategy needs them). Target: at most 5 µs per decision.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class RoutingBench {

    static final int DEPLOYMENTS = 10;

    @Param({"weighted", "round-robin", "least-latency", "least-busy", "lowest-cost", "priority"})
    public String strategy;

    private RoutingStrategy chosen;
    private List<Deployment> deployments;
    private RequestFacts facts;

    @Setup
    public void setUp() {
        chosen = strategy.equals(WeightedRandom.NAME) ? WeightedRandom.INSTANCE
                : new RoutingStrategiesPlugin().routingStrategies().stream().filter(f -> f.name().equals(strategy)).findFirst()
                        .orElseThrow().create(PluginConfig.empty("routing"), null);
        ProviderAdapter idle = new ProviderAdapter() {
            @Override
            public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {}

            @Override
            public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {}
        };
        deployments = new ArrayList<>();
        for (int i = 0; i < DEPLOYMENTS; i++) {
            ModelInfo info = ModelInfo.builder("up-" + i).contextWindow(128_000)
                    .prices(Prices.builder(new BigDecimal("2.5").add(BigDecimal.valueOf(i)), new BigDecimal("10")).build()).build();
            deployments.add(new Deployment("m#" + i, "m", "openai", "up-" + i, 1 + i % 3,
                    new Deployment.Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(5)), idle, null,
                    RoutingBench.class.getClassLoader(), info, i / 4, RetrySettings.DEFAULTS, CircuitSettings.DEFAULTS, Ticker.system()));
        }
        facts = RequestFacts.builder(WireFormat.OPENAI_CHAT, "m").promptTokenEstimate(1200).maxTokens(256).build();
    }

    @Benchmark
    public int choose() {
        return chosen.choose(RouteRequest.of("req-1", "m", facts, Principal.ANONYMOUS, List.of()), deployments);
    }
}
