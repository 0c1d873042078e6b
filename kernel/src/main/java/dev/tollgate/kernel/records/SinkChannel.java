package dev.tollgate.kernel.records;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way from the request path to one sink: a bounded queue that {@link #offer} fills without
 * ever blocking, a writer thread that hands the sink batches (by count or after the flush
 * interval) and retries with backoff, and a spiller thread that moves records to disk when the
 * queue runs high or the sink is down. The writer replays the spill once the sink takes batches
 * again. Only a full queue (the spiller cannot keep up) or a full spill drops records, and counts
 * them.
 *
 * <p>Every record is in exactly one place, and a {@link Snapshot} sees all places at one instant:
 * produced = delivered + pending (queue, in hand, spill) + dead-lettered + dropped.
 *
 * <p>A batch that fails all its retries is split in two: when one half goes through, the sink is
 * up and the other half is split again, down to single records, which are dead-lettered (kept in
 * {@code dead-letter/}) after their own retries. When no half goes through, the sink is down: the
 * batch is spilled and the writer probes the sink with the oldest spilled batch, backing off.
 */
public final class SinkChannel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SinkChannel.class);
    private static final int SPILL_CHUNK = 1000;

    /** How one sink's channel behaves. */
    public record Settings(int queueCapacity, int batchSize, Duration flushInterval, int maxRetries, Duration backoffBase,
            Duration backoffCap, long spillMaxBytes) {

        public Settings {
            if (queueCapacity < 1 || batchSize < 1 || maxRetries < 0 || spillMaxBytes < 0) {
                throw new IllegalArgumentException("queue, batch size must be positive; retries, spill size not negative");
            }
            requireNonNull(flushInterval, "flushInterval is null");
            requireNonNull(backoffBase, "backoffBase is null");
            requireNonNull(backoffCap, "backoffCap is null");
        }
    }

    /** Where this sink's records are, at one instant. */
    public record Snapshot(String sink, long produced, long delivered, long queued, long spilled, long deadLettered, long dropped,
            long retries, long failedWrites, long spillBytes, boolean up) {

        public long pending() {
            return queued + spilled;
        }
    }

    private final String name;
    private final LogSink sink;
    private final Settings settings;
    private final Spill spill;
    private final Spill deadLetter;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final int highWater;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition spillWork = lock.newCondition();
    private final ArrayDeque<RequestRecord> queue;
    private List<RequestRecord> writerHand = List.of();
    private int spillerHand;
    private int closerHand;
    private long produced;
    private long delivered;
    private long spilled;
    private long dead;
    private long dropped;
    private long retries;
    private long failedWrites;
    private boolean down;
    private boolean closing;
    private boolean stopped;
    private long flushDeadlineNanos = Long.MAX_VALUE;

    private Spill.Segment replaying;
    private int replayOffset;
    private final Thread writer;
    private final Thread spiller;

    SinkChannel(String name, LogSink sink, Settings settings, Spill spill, Spill deadLetter, Backoff backoff, Sleeper sleeper) {
        this.name = requireNonNull(name, "name is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.spill = requireNonNull(spill, "spill is null");
        this.deadLetter = requireNonNull(deadLetter, "deadLetter is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.queue = new ArrayDeque<>(Math.min(settings.queueCapacity(), 4096));
        this.highWater = Math.max(1, settings.queueCapacity() * 3 / 4);
        // what an earlier run spilled is this run's to deliver
        this.spilled = spill.records();
        this.produced = spilled;
        this.writer = Thread.ofPlatform().daemon().name("tollgate-sink-" + name).unstarted(this::runWriter);
        this.spiller = Thread.ofPlatform().daemon().name("tollgate-spill-" + name).unstarted(this::runSpiller);
    }

    void start() {
        writer.start();
        spiller.start();
    }

    String name() {
        return name;
    }

    /** Takes a record without blocking; false when it had to be dropped (queue full or channel closed). */
    boolean offer(RequestRecord r) {
        lock.lock();
        try {
            produced++;
            if (stopped || queue.size() >= settings.queueCapacity()) {
                dropped++;
                return false;
            }
            queue.addLast(r);
            int size = queue.size();
            if (size == 1 || size == settings.batchSize()) {
                work.signal();
            }
            if (size > highWater || down) {
                spillWork.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    Snapshot snapshot() {
        lock.lock();
        try {
            return new Snapshot(name, produced, delivered, queue.size() + writerHand.size() + spillerHand + closerHand, spilled, dead,
                    dropped,
                    retries, failedWrites, spill.bytes(), !down);
        } finally {
            lock.unlock();
        }
    }

    // ---- the writer ------------------------------------------------------------------------

    private void runWriter() {
        try {
            while (true) {
                if (isDown()) {
                    if (isClosing()) {
                        // the closer spills what is queued; probing a dead sink at shutdown only burns the grace
                        return;
                    }
                    probe();
                    continue;
                }
                List<RequestRecord> batch = takeBatch();
                if (batch == null) {
                    return;
                }
                if (!batch.isEmpty()) {
                    deliver(batch);
                } else {
                    replay(settings.maxRetries());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("log sink {}: its writer stopped on an unexpected error; records stay queued and spilled", name, e);
        }
    }

    private boolean isDown() {
        lock.lock();
        try {
            return down && !stopped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next batch: as soon as it is full, or the flush interval after its first record. Empty
     * when the queue stays empty and the spill holds records to replay; null when the channel stops.
     */
    private List<RequestRecord> takeBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (stopped || closing && queue.isEmpty()) {
                    return null;
                }
                if (queue.isEmpty()) {
                    if (spilled > 0) {
                        return List.of();
                    }
                    work.await();
                    continue;
                }
                if (queue.size() < settings.batchSize() && !closing) {
                    if (flushDeadlineNanos == Long.MAX_VALUE) {
                        flushDeadlineNanos = System.nanoTime() + settings.flushInterval().toNanos();
                    }
                    long left = flushDeadlineNanos - System.nanoTime();
                    if (left > 0) {
                        work.awaitNanos(left);
                        continue;
                    }
                }
                flushDeadlineNanos = Long.MAX_VALUE;
                int n = Math.min(queue.size(), settings.batchSize());
                List<RequestRecord> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(queue.pollFirst());
                }
                writerHand = batch;
                return batch;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Delivers a batch the writer holds; on failure splits it, spills it or dead-letters what the sink refuses alone. */
    private void deliver(List<RequestRecord> batch) throws InterruptedException {
        if (write(batch, settings.maxRetries())) {
            settleHand(batch, Where.DELIVERED);
            return;
        }
        failed(batch, false);
    }

    private enum Where { DELIVERED, SPILLED, DEAD, DROPPED }

    private void failed(List<RequestRecord> batch, boolean sinkWorks) throws InterruptedException {
        if (isStopped()) {
            return;
        }
        if (batch.size() == 1) {
            if (sinkWorks && write(batch, settings.maxRetries())) {
                settleHand(batch, Where.DELIVERED);
            } else if (sinkWorks) {
                boolean kept = deadLetter.append(batch);
                log.warn("log sink {}: record {} refused on its own after {} retries; dead-lettered{}", name,
                        batch.get(0).requestId(), settings.maxRetries(), kept ? "" : " (the dead-letter folder is full: not kept)");
                settleHand(batch, Where.DEAD);
            } else {
                spillHand(batch);
            }
            return;
        }
        List<RequestRecord> a = batch.subList(0, batch.size() / 2);
        List<RequestRecord> b = batch.subList(batch.size() / 2, batch.size());
        boolean okA = write(a, 0);
        if (okA) {
            settleHand(a, Where.DELIVERED);
        }
        boolean okB = write(b, 0);
        if (okB) {
            settleHand(b, Where.DELIVERED);
        }
        boolean works = sinkWorks || okA || okB;
        if (!works) {
            spillHand(batch);
            return;
        }
        if (!okA) {
            failed(new ArrayList<>(a), true);
        }
        if (!okB) {
            failed(new ArrayList<>(b), true);
        }
    }

    /** The sink is down: the batch goes to the spill (or is dropped when the spill is full) and the writer starts probing. */
    private void spillHand(List<RequestRecord> batch) {
        boolean kept = spill.append(batch);
        if (!kept) {
            log.warn("log sink {}: its spill is full ({} bytes); {} records dropped", name, spill.bytes(), batch.size());
        }
        lock.lock();
        try {
            if (!down) {
                log.warn("log sink {} is down: records are spilled to {} until it takes them again", name, spill.dir());
            }
            down = true;
            spillWork.signal();
        } finally {
            lock.unlock();
        }
        settleHand(batch, kept ? Where.SPILLED : Where.DROPPED);
    }

    /** Records the writer held reached {@code where}; after the channel stopped, the closer already took them over. */
    private void settleHand(List<RequestRecord> records, Where where) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            int n = records.size();
            if (n == writerHand.size()) {
                writerHand = List.of();
            } else {
                java.util.Set<RequestRecord> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                gone.addAll(records);
                List<RequestRecord> left = new ArrayList<>(writerHand.size() - n);
                for (RequestRecord r : writerHand) {
                    if (!gone.contains(r)) {
                        left.add(r);
                    }
                }
                writerHand = left;
            }
            switch (where) {
                case DELIVERED -> delivered += n;
                case SPILLED -> spilled += n;
                case DEAD -> dead += n;
                case DROPPED -> dropped += n;
            }
        } finally {
            lock.unlock();
        }
    }

    /** One write, retried {@code maxRetries} times with backoff; false when every try failed. */
    private boolean write(List<RequestRecord> batch, int maxRetries) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                sink.write(batch);
                return true;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                boolean again = attempt < maxRetries && !isStopped();
                lock.lock();
                try {
                    failedWrites++;
                    if (again) {
                        retries++;
                    }
                } finally {
                    lock.unlock();
                }
                if (!again) {
                    log.debug("log sink {}: a batch of {} failed: {}", name, batch.size(), e.toString());
                    return false;
                }
                sleeper.sleep(backoff.delay(attempt));
            }
        }
    }

    private boolean isClosing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    private boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    /** While down: wait, then try the oldest spilled batch once; it going through means the sink is back. */
    private int probes;

    private void probe() throws InterruptedException {
        sleeper.sleep(backoff.delay(Math.min(probes++, 30)));
        if (isStopped()) {
            return;
        }
        boolean haveSpill;
        lock.lock();
        try {
            haveSpill = spilled > 0 || replaying != null;
            if (!haveSpill) {
                // nothing spilled to probe with: the next fresh batch finds out
                down = false;
                probes = 0;
            }
        } finally {
            lock.unlock();
        }
        if (haveSpill && replay(0)) {
            lock.lock();
            try {
                down = false;
                probes = 0;
            } finally {
                lock.unlock();
            }
            log.info("log sink {} takes records again; replaying its spill", name);
        }
    }

    /** Replays one batch of the oldest spilled segment; false when the sink refused it (the channel is then down). */
    private boolean replay(int retries) throws InterruptedException {
        if (replaying == null) {
            replaying = spill.oldest();
            replayOffset = 0;
            if (replaying == null) {
                return true;
            }
            if (replaying.corrupt() > 0) {
                log.warn("log sink {}: {} spilled records could not be read back; their segment is kept under {}/dead", name,
                        replaying.corrupt(), spill.dir());
                lock.lock();
                try {
                    spilled -= replaying.corrupt();
                    dead += replaying.corrupt();
                } finally {
                    lock.unlock();
                }
            }
        }
        List<RequestRecord> records = replaying.records();
        int end = Math.min(records.size(), replayOffset + settings.batchSize());
        if (replayOffset < end) {
            List<RequestRecord> batch = records.subList(replayOffset, end);
            if (!write(batch, retries)) {
                lock.lock();
                try {
                    down = true;
                    spillWork.signal();
                } finally {
                    lock.unlock();
                }
                return false;
            }
            spill.consumed(replaying, batch.size());
            replayOffset = end;
            lock.lock();
            try {
                spilled -= batch.size();
                delivered += batch.size();
            } finally {
                lock.unlock();
            }
        }
        if (replayOffset >= records.size()) {
            spill.finish(replaying);
            replaying = null;
        }
        return true;
    }

    // ---- the spiller -----------------------------------------------------------------------

    private void runSpiller() {
        try {
            while (true) {
                List<RequestRecord> chunk;
                lock.lock();
                try {
                    while (!stopped && !(queue.size() > highWater || down && !queue.isEmpty())) {
                        spillWork.await();
                    }
                    if (stopped) {
                        return;
                    }
                    int n = Math.min(queue.size(), SPILL_CHUNK);
                    chunk = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        chunk.add(queue.pollFirst());
                    }
                    spillerHand = n;
                } finally {
                    lock.unlock();
                }
                boolean kept = spill.append(chunk);
                if (!kept) {
                    log.warn("log sink {}: its spill is full ({} bytes); {} records dropped", name, spill.bytes(), chunk.size());
                }
                lock.lock();
                try {
                    spillerHand = 0;
                    if (kept) {
                        spilled += chunk.size();
                    } else {
                        dropped += chunk.size();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- closing ---------------------------------------------------------------------------

    /**
     * Delivers what is queued until {@code grace} runs out, then spills whatever is still queued
     * or in the writer's hand (a batch the sink may yet take is then delivered twice: at least once).
     */
    void close(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        lock.lock();
        try {
            closing = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<RequestRecord> rest;
        lock.lock();
        try {
            stopped = true;
            work.signalAll();
            spillWork.signalAll();
            rest = new ArrayList<>(writerHand);
            rest.addAll(queue);
            queue.clear();
            writerHand = List.of();
            closerHand = rest.size();
        } finally {
            lock.unlock();
        }
        writer.interrupt();
        try {
            spiller.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean kept = rest.isEmpty() || spill.append(rest);
        if (!kept) {
            log.warn("log sink {}: {} records could not be spilled at shutdown (spill full or disk failing): dropped", name, rest.size());
        }
        lock.lock();
        try {
            closerHand = 0;
            if (kept) {
                spilled += rest.size();
            } else {
                dropped += rest.size();
            }
        } finally {
            lock.unlock();
        }
        spill.close();
        deadLetter.close();
        try {
            sink.close();
        } catch (RuntimeException e) {
            log.warn("closing log sink {} failed", name, e);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
