package dev.tollgate.kernel.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkChannelTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final Records.ScriptedSink sink = new Records.ScriptedSink();
    private final Records.RecordingSleeper sleeper = new Records.RecordingSleeper();
    private SinkChannel channel;
    private InvariantWatch watch;

    private SinkChannel open(int queue, int batch, long spillBytes) throws IOException {
        SinkChannel.Settings s = new SinkChannel.Settings(queue, batch, Duration.ofMillis(5), 2, Duration.ofMillis(100),
                Duration.ofSeconds(2), spillBytes);
        SinkChannel c = new SinkChannel("test", sink, s, Spill.open(dir.resolve("test"), spillBytes),
                Spill.open(dir.resolve("test").resolve("dead-letter"), spillBytes), new Backoff(s.backoffBase(), s.backoffCap(),
                        new SplittableRandom(7)), sleeper);
        c.start();
        watch = new InvariantWatch(c);
        return c;
    }

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.stop();
        }
        if (channel != null) {
            channel.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void deliversEveryRecordInBatches() throws IOException {
        channel = open(10_000, 50, 1 << 20);
        offer("r", 1000);
        Eventually.await(WAIT, () -> channel.snapshot().delivered() == 1000);
        assertEquals(1000, sink.distinct().size());
        assertEquals(1000, sink.delivered.size(), "each record once while the sink works");
        assertTrue(sink.batchSizes.stream().allMatch(n -> n <= 50), "batches are bounded: " + sink.batchSizes);
        SinkChannel.Snapshot s = channel.snapshot();
        assertEquals(0, s.pending());
        assertEquals(0, s.dropped());
        assertNull(watch.violation(), watch::violation);
    }

    @Test
    void aDownSinkGetsItsRecordsFromTheSpillWhenItReturns() throws IOException {
        sink.up = false;
        channel = open(5000, 50, 64 << 20);
        offer("r", 3000);
        Eventually.await(WAIT, () -> channel.snapshot().queued() == 0 && channel.snapshot().spilled() == 3000);
        SinkChannel.Snapshot down = channel.snapshot();
        assertFalse(down.up());
        assertTrue(down.spillBytes() > 0);
        assertEquals(0, down.delivered());
        assertTrue(down.failedWrites() > 0);

        sink.up = true;
        Eventually.await(WAIT, () -> channel.snapshot().delivered() >= 3000 && channel.snapshot().pending() == 0);
        SinkChannel.Snapshot back = channel.snapshot();
        assertTrue(back.up());
        assertEquals(3000, back.produced());
        assertEquals(3000, back.delivered());
        assertEquals(0, back.dropped() + back.deadLettered());
        assertEquals(3000, sink.distinct().size(), "every record reached the sink");
        assertEquals(0, back.spillBytes(), "replayed segments are deleted");
        assertNull(watch.violation(), watch::violation);
    }

    @Test
    void aRecordTheSinkRefusesOnItsOwnIsDeadLetteredAndTheRestDelivered() throws IOException {
        sink.poison.add("r17");
        channel = open(10_000, 100, 1 << 20);
        offer("r", 100);
        Eventually.await(WAIT, () -> channel.snapshot().delivered() + channel.snapshot().deadLettered() == 100);
        SinkChannel.Snapshot s = channel.snapshot();
        assertEquals(99, s.delivered());
        assertEquals(1, s.deadLettered());
        assertFalse(sink.distinct().contains("r17"));
        assertEquals(99, sink.distinct().size());
        assertTrue(s.up(), "one bad record does not mark the sink down");
        try (Stream<Path> dead = Files.list(dir.resolve("test").resolve("dead-letter"))) {
            assertEquals(1, dead.filter(p -> p.toString().endsWith(".spill")).count(), "the refused record is kept");
        }
        assertNull(watch.violation(), watch::violation);
    }

    @Test
    void onlyAFullSpillDropsAndEveryDropIsCounted() throws IOException {
        sink.up = false;
        channel = open(100, 10, 20_000);
        offer("r", 2000);
        Eventually.await(WAIT, () -> channel.snapshot().queued() == 0);
        SinkChannel.Snapshot s = channel.snapshot();
        assertEquals(2000, s.produced());
        assertTrue(s.dropped() > 0, "the spill holds 20 kB only");
        assertTrue(s.spilled() > 0);
        assertEquals(2000, s.spilled() + s.dropped());
        assertTrue(s.spillBytes() <= 20_000);
        assertNull(watch.violation(), watch::violation);
    }

    @Test
    void retriesBackOffExponentiallyWithJitter() throws IOException {
        sink.up = false;
        channel = open(10_000, 10, 1 << 20);
        offer("r", 1);
        Eventually.await(WAIT, () -> sleeper.waits.size() >= 4);
        List<Duration> w = sleeper.waits;
        // retry 1 and 2 of the batch, then probes of the spilled batch: each wait in [half, all] of min(2 s, 100 ms × 2^n)
        assertBetween(w.get(0), 50, 100);
        assertBetween(w.get(1), 100, 200);
        assertBetween(w.get(2), 50, 100);
        assertBetween(w.get(3), 100, 200);
    }

    @Test
    void closingFlushesWhatTheSinkTakes() throws IOException {
        SinkChannel.Settings s = new SinkChannel.Settings(10_000, 10_000, Duration.ofHours(1), 2, Duration.ofMillis(1),
                Duration.ofMillis(10), 1 << 20);
        SinkChannel c = new SinkChannel("test", sink, s, Spill.open(dir.resolve("test"), 1 << 20),
                Spill.open(dir.resolve("dl"), 1 << 20), new Backoff(s.backoffBase(), s.backoffCap(), new SplittableRandom(1)), sleeper);
        c.start();
        for (RequestRecord r : Records.many("r", 700)) {
            c.offer(r);
        }
        assertEquals(0, sink.delivered.size(), "the batch waits for its hour");
        c.close(Duration.ofSeconds(10));
        assertEquals(700, sink.distinct().size());
        assertTrue(sink.closed);
        SinkChannel.Snapshot after = c.snapshot();
        assertEquals(700, after.delivered());
        assertFalse(c.offer(Records.minimal("late")), "a closed channel refuses");
        assertEquals(1, c.snapshot().dropped(), "and counts it");
    }

    @Test
    void whatADownSinkMissedAtShutdownIsDeliveredByTheNextRun() throws IOException {
        sink.up = false;
        channel = open(10_000, 10, 1 << 20);
        offer("r", 300);
        channel.close(Duration.ofMillis(200));
        SinkChannel.Snapshot closed = channel.snapshot();
        assertEquals(300, closed.spilled(), "nothing lost, nothing delivered: " + closed);
        watch.stop();
        channel = null;

        sink.up = true;
        channel = open(10_000, 10, 1 << 20);
        assertEquals(300, channel.snapshot().produced(), "the spill of the last run is this run's to deliver");
        Eventually.await(WAIT, () -> channel.snapshot().delivered() == 300);
        assertEquals(300, sink.distinct().size());
        assertEquals(0, channel.snapshot().pending());
    }

    private void offer(String prefix, int n) {
        for (RequestRecord r : Records.many(prefix, n)) {
            channel.offer(r);
        }
    }

    private static void assertBetween(Duration d, long minMillis, long maxMillis) {
        assertTrue(d.toMillis() >= minMillis && d.toMillis() <= maxMillis, d + " not in [" + minMillis + ", " + maxMillis + "] ms");
    }

    /** Checks produced = delivered + pending + dead-lettered + dropped on every snapshot it can take while the test runs. */
    static final class InvariantWatch {
        private final AtomicReference<String> violation = new AtomicReference<>();
        private volatile boolean running = true;
        private final Thread thread;

        InvariantWatch(SinkChannel c) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (running) {
                    SinkChannel.Snapshot s = c.snapshot();
                    if (s.produced() != s.delivered() + s.pending() + s.deadLettered() + s.dropped()) {
                        violation.compareAndSet(null, s.toString());
                    }
                    Thread.onSpinWait();
                }
            });
        }

        String violation() {
            return violation.get();
        }

        void stop() {
            running = false;
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
