package dev.tollgate.kernel.records;

import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Request records from the request path to every configured sink, each through its own
 * {@link SinkChannel} (queue, writer, spill under {@code <data>/spill/<sink>/}). {@link #offer}
 * never blocks and never throws. With no sink configured it only counts.
 */
public final class RecordPipeline implements AutoCloseable {

    private final List<SinkChannel> channels;
    private final CountDownLatch closed;
    private final Duration flushGrace;

    private RecordPipeline(List<SinkChannel> channels, CountDownLatch closed, Duration flushGrace) {
        this.channels = channels;
        this.closed = closed;
        this.flushGrace = flushGrace;
    }

    /** One configured sink: its name (unique, names the spill folder), the sink, and its channel's settings. */
    public record Sink(String name, LogSink sink, SinkChannel.Settings settings) {}

    /** A channel's settings from the configuration. */
    public static SinkChannel.Settings settings(dev.tollgate.kernel.config.LoggingSettings.Sink s) {
        return new SinkChannel.Settings(s.queue(), s.batchSize(), s.flushInterval(), s.maxRetries(), s.backoffBase(), s.backoffCap(),
                s.spillMaxBytes());
    }

    public static RecordPipeline none() {
        return new RecordPipeline(List.of(), new CountDownLatch(0), Duration.ZERO);
    }

    /** Opens each sink's spill (counting what an earlier run left) and starts its threads. */
    public static RecordPipeline start(List<Sink> sinks, Path spillRoot, Duration flushGrace) {
        CountDownLatch closed = new CountDownLatch(1);
        Sleeper sleeper = d -> closed.await(d.toNanos(), TimeUnit.NANOSECONDS);
        return start(sinks, spillRoot, flushGrace, sleeper, RandomGenerator.getDefault(), closed);
    }

    static RecordPipeline start(List<Sink> sinks, Path spillRoot, Duration flushGrace, Sleeper sleeper, RandomGenerator random,
            CountDownLatch closed) {
        List<SinkChannel> channels = new ArrayList<>();
        try {
            for (Sink s : sinks) {
                Path dir = spillRoot.resolve(s.name());
                Spill spill = Spill.open(dir, s.settings().spillMaxBytes());
                Spill dead = Spill.open(dir.resolve("dead-letter"), s.settings().spillMaxBytes());
                Backoff backoff = new Backoff(s.settings().backoffBase(), s.settings().backoffCap(), random);
                channels.add(new SinkChannel(s.name(), s.sink(), s.settings(), spill, dead, backoff, sleeper));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log spill under " + spillRoot + ": " + e.getMessage(), e);
        }
        channels.forEach(SinkChannel::start);
        return new RecordPipeline(List.copyOf(channels), closed, flushGrace);
    }

    /** Hands a record to every sink; never blocks. */
    public void offer(RequestRecord record) {
        for (int i = 0; i < channels.size(); i++) {
            channels.get(i).offer(record);
        }
    }

    public boolean isEmpty() {
        return channels.isEmpty();
    }

    /** Each sink's counts, each taken at one instant. */
    public List<SinkChannel.Snapshot> snapshots() {
        List<SinkChannel.Snapshot> out = new ArrayList<>(channels.size());
        for (SinkChannel c : channels) {
            out.add(c.snapshot());
        }
        return out;
    }

    /** The pipeline's metrics in the Prometheus text format; one snapshot per sink, so the invariant holds within a scrape. */
    public String prometheus() {
        if (channels.isEmpty()) {
            return "";
        }
        List<SinkChannel.Snapshot> snaps = snapshots();
        StringBuilder b = new StringBuilder(1024);
        family(b, "tollgate_log_records_produced_total", "counter", "Records handed to the sink (those an earlier run spilled included)",
                snaps, SinkChannel.Snapshot::produced);
        family(b, "tollgate_log_records_delivered_total", "counter", "Records the sink accepted", snaps, SinkChannel.Snapshot::delivered);
        b.append("# HELP tollgate_log_records_pending Records on their way: in memory (queue) or on disk (spill)\n")
                .append("# TYPE tollgate_log_records_pending gauge\n");
        for (SinkChannel.Snapshot s : snaps) {
            b.append("tollgate_log_records_pending{sink=\"").append(s.sink()).append("\",where=\"queue\"} ").append(s.queued()).append('\n');
            b.append("tollgate_log_records_pending{sink=\"").append(s.sink()).append("\",where=\"spill\"} ").append(s.spilled()).append('\n');
        }
        family(b, "tollgate_log_records_dead_lettered_total", "counter",
                "Records the sink refused on their own, or spilled records that could not be read back", snaps,
                SinkChannel.Snapshot::deadLettered);
        family(b, "tollgate_log_records_dropped_total", "counter", "Records lost because the queue and the spill were full",
                snaps, SinkChannel.Snapshot::dropped);
        family(b, "tollgate_log_write_retries_total", "counter", "Batch writes tried again after a failure", snaps,
                SinkChannel.Snapshot::retries);
        family(b, "tollgate_log_write_failures_total", "counter", "Batch writes that failed", snaps, SinkChannel.Snapshot::failedWrites);
        family(b, "tollgate_log_spill_bytes", "gauge", "Bytes of spilled records on disk", snaps, SinkChannel.Snapshot::spillBytes);
        family(b, "tollgate_log_sink_up", "gauge", "1 while the sink takes records, 0 while records are spilled for it", snaps,
                s -> s.up() ? 1 : 0);
        return b.toString();
    }

    private static void family(StringBuilder b, String name, String type, String help, List<SinkChannel.Snapshot> snaps,
            java.util.function.ToLongFunction<SinkChannel.Snapshot> value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (SinkChannel.Snapshot s : snaps) {
            b.append(name).append("{sink=\"").append(s.sink()).append("\"} ").append(value.applyAsLong(s)).append('\n');
        }
    }

    /** Flushes every sink within the grace (in parallel), spills the rest, closes the sinks. */
    @Override
    public void close() {
        closed.countDown();
        List<Thread> closers = new ArrayList<>();
        for (SinkChannel c : channels) {
            closers.add(Thread.ofPlatform().name("tollgate-sink-close-" + c.name()).start(() -> c.close(flushGrace)));
        }
        for (Thread t : closers) {
            try {
                t.join(flushGrace.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
