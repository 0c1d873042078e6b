package dev.tollgate.bench.jmh;

import dev.tollgate.kernel.config.ComponentSettings;
import dev.tollgate.kernel.config.LoggingSettings;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.kernel.pipeline.RequestMetrics;
import dev.tollgate.kernel.records.RecordPipeline;
import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one request costs the observability path on its I/O thread: building its record, counting
 * it in the request metrics, and offering it to a sink's queue (whose writer thread drains it into
 * a sink that keeps nothing). {@code -prof gc} gives the bytes allocated per request.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class RecordsBench {

    private RequestMetrics metrics;
    private RecordPipeline pipeline;
    private Path spill;
    private final LongAdder taken = new LongAdder();
    private long n;
    private final List<AttemptRecord> attempts = List.of(new AttemptRecord(0, "bench#0", AttemptRecord.Result.SUCCEEDED, null,
            Duration.ofMillis(20), Duration.ofMillis(5), Usage.of(100, 20)));
    private final Instant started = Instant.now();

    @Setup
    public void setup() throws IOException {
        metrics = new RequestMetrics(new KernelMetrics(), Set.of("bench"));
        spill = Files.createTempDirectory("tollgate-records-bench");
        LoggingSettings.Sink s = new LoggingSettings.Sink("discard", new ComponentSettings("discard", Map.of(), "x"), 100_000, 500,
                Duration.ofMillis(50), 3, Duration.ofMillis(100), Duration.ofSeconds(1), 1L << 30);
        pipeline = RecordPipeline.start(List.of(new RecordPipeline.Sink("discard", batch -> taken.add(batch.size()),
                RecordPipeline.settings(s))), spill, Duration.ofSeconds(1));
    }

    @TearDown
    public void tearDown() throws IOException {
        pipeline.close();
        try (var files = Files.walk(spill)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private RequestRecord record() {
        return RequestRecord.builder("req-" + (n++), started, "/v1/chat/completions")
                .model("bench").deployment("bench#0", "openai").providerModel("bench-upstream").status(200).stream(false)
                .usage(Usage.of(100, 20)).cost(Cost.ofMicros(27)).cacheStatus(CacheStatus.NONE).latencyMicros(21_000)
                .timeToFirstTokenMicros(5_100).upstreamLatencyMicros(20_000).key("key_1", "bench").teamId("team_1")
                .attempts(attempts).build();
    }

    /** Building the record and counting it: the part every request pays, with or without a sink. */
    @Benchmark
    public RequestRecord recordAndCount() {
        RequestRecord r = record();
        metrics.recorded(r);
        return r;
    }

    /** The same, then queued for one sink. */
    @Benchmark
    public RequestRecord recordCountAndQueue() {
        RequestRecord r = record();
        metrics.recorded(r);
        pipeline.offer(r);
        return r;
    }
}
