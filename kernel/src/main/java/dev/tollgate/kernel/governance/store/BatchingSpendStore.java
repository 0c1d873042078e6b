package dev.tollgate.kernel.governance.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.governance.AsyncSpendRecorder;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store whose {@link #recordSpend} calls from many threads are written together: one writer
 * thread waits {@value #LINGER_NANOS} ns after the first entry, then commits everything waiting as
 * one transaction, so the ledger keeps up with the request
 * rate (one SQLite commit per settled request capped it at a few thousand per second). A caller
 * still returns only once its entries are durable. The queue is bounded: when it is full the caller
 * writes its entries itself, which is slower but loses nothing. Every other call goes straight to
 * the delegate.
 *
 * <p>A batch the delegate refuses as invalid ({@link IllegalArgumentException},
 * {@link NullPointerException}) is written again caller by caller, so one bad entry fails only its
 * own caller. Any other failure (the database is down or timed out) is retried by the writer with
 * a capped exponential backoff, {@link Retry}: a database outage up to about a minute
 * (with {@link Retry#DEFAULT}) delays the ledger but loses nothing of the settled spend. When the
 * retries are spent, the batch's callers are failed and its entries counted in
 * {@code tollgate_ledger_dropped_entries_total} (and logged): never silently lost. Retries are
 * counted in {@code tollgate_ledger_write_retries_total}. While the writer retries, new callers
 * queue (bounded) behind it.
 */
public final class BatchingSpendStore implements GovernanceStore, AsyncSpendRecorder {

    private static final Logger log = LoggerFactory.getLogger(BatchingSpendStore.class);
    static final int QUEUE = 16_384;
    static final int MAX_BATCH = 1_000;
    /** How long the writer waits after the first entry of a batch for more: the ledger is durable this much later. */
    static final long LINGER_NANOS = 1_000_000;

    private record Pending(List<SpendEntry> entries, CompletableFuture<Void> done) {}

    /**
     * How the writer retries a batch the delegate failed to write (not one it refused as invalid):
     * up to {@code attempts} writes in all, waiting {@code firstBackoff} after the first failure,
     * doubling up to {@code maxBackoff}.
     */
    public record Retry(int attempts, Duration firstBackoff, Duration maxBackoff) {
        /** 20 writes over about 76 s (0.1 s doubling to 5 s): a database restart or fail-over loses nothing. */
        public static final Retry DEFAULT = new Retry(20, Duration.ofMillis(100), Duration.ofSeconds(5));

        public Retry {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
            }
            requireNonNull(firstBackoff, "firstBackoff is null");
            requireNonNull(maxBackoff, "maxBackoff is null");
        }

        long backoffNanos(int failures) {
            long first = firstBackoff.toNanos();
            long shifted = failures >= 62 ? Long.MAX_VALUE : first << Math.min(failures - 1, 62);
            return shifted < first ? maxBackoff.toNanos() : Math.min(shifted, maxBackoff.toNanos());
        }
    }

    private final GovernanceStore delegate;
    private final Retry retry;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private final LongAdder commits = new LongAdder();
    private final Metrics.Counter retries;
    private final Metrics.Counter dropped;
    private volatile boolean closing;

    public BatchingSpendStore(GovernanceStore delegate) {
        this(delegate, Retry.DEFAULT, new KernelMetrics());
    }

    /** A store whose writer retries as {@code retry} says and counts retries and drops on {@code metrics}. */
    public BatchingSpendStore(GovernanceStore delegate, Retry retry, Metrics metrics) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.retry = requireNonNull(retry, "retry is null");
        requireNonNull(metrics, "metrics is null");
        this.retries = metrics.counter("tollgate_ledger_write_retries_total",
                "Spend ledger writes that failed (the store was unreachable or timed out) and were tried again");
        this.dropped = metrics.counter("tollgate_ledger_dropped_entries_total",
                "Settled requests the spend ledger could not record after every retry");
        this.writer = Thread.ofPlatform().daemon().name("tollgate-ledger-writer").start(this::run);
    }

    @Override
    public void recordSpend(List<SpendEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        Pending p = new Pending(List.copyOf(entries), new CompletableFuture<>());
        if (closing || !queue.offer(p)) {
            delegate.recordSpend(p.entries());
            return;
        }
        try {
            p.done().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> recordSpendAsync(List<SpendEntry> entries) {
        if (entries.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Pending p = new Pending(List.copyOf(entries), new CompletableFuture<>());
        if (closing || !queue.offer(p)) {
            // full (or closing): written on a thread of its own, slower but nothing lost
            Thread.ofVirtual().name("tollgate-ledger-overflow").start(() -> {
                RuntimeException failure = writeWithRetry(p.entries());
                if (failure == null) {
                    p.done().complete(null);
                } else {
                    if (!isInvalid(failure)) {
                        drop(p.entries().size(), failure);
                    }
                    p.done().completeExceptionally(failure);
                }
            });
        }
        return p.done();
    }

    /** Callers waiting for the writer. */
    int queued() {
        return queue.size();
    }

    /** Transactions the writer has committed (each holding one or more callers' entries). */
    public long commits() {
        return commits.sum();
    }

    /** Entries that could not be recorded after every retry. */
    public long droppedEntries() {
        return dropped.value();
    }

    /** Writes tried again after a failure. */
    public long retriedWrites() {
        return retries.value();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                // linger: what arrives meanwhile joins this commit, and its callers wake nobody (the writer is not waiting on the queue)
                if (!closing && queue.size() < MAX_BATCH - 1) {
                    java.util.concurrent.locks.LockSupport.parkNanos(LINGER_NANOS);
                }
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (closing && queue.isEmpty()) {
                    return;
                }
            } catch (RuntimeException | Error e) {
                log.error("the ledger writer failed; its callers were told", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        List<SpendEntry> all = new ArrayList<>();
        for (Pending p : batch) {
            all.addAll(p.entries());
        }
        RuntimeException failure = writeWithRetry(all);
        if (failure == null) {
            commits.increment();
            batch.forEach(p -> p.done().complete(null));
        } else if (isInvalid(failure)) {
            // one caller's bad entry must not fail the others: write each caller's entries alone
            for (Pending p : batch) {
                RuntimeException alone = batch.size() == 1 ? failure : writeWithRetry(p.entries());
                if (alone == null) {
                    commits.increment();
                    p.done().complete(null);
                } else {
                    if (!isInvalid(alone)) {
                        drop(p.entries().size(), alone);
                    }
                    p.done().completeExceptionally(alone);
                }
            }
        } else {
            drop(all.size(), failure);
            batch.forEach(p -> p.done().completeExceptionally(failure));
        }
    }

    /** Writes {@code entries}, retrying what is not refused as invalid; the last failure, or {@code null} once written. */
    private RuntimeException writeWithRetry(List<SpendEntry> entries) {
        for (int attempt = 1; ; attempt++) {
            try {
                delegate.recordSpend(entries);
                return null;
            } catch (RuntimeException e) {
                if (isInvalid(e) || attempt >= retry.attempts() || closing) {
                    return e;
                }
                retries.increment();
                if (attempt == 1) {
                    log.warn("the spend ledger could not record {} entries ({}); retrying up to {} times", entries.size(),
                            e.getMessage(), retry.attempts() - 1);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(retry.backoffNanos(attempt));
            }
        }
    }

    private void drop(int entries, RuntimeException cause) {
        dropped.add(entries);
        log.error("the spend ledger dropped {} settled entries after {} attempts: {}", entries, retry.attempts(),
                cause.getMessage());
    }

    /** A refusal of the entries themselves, which no retry can cure. */
    private static boolean isInvalid(RuntimeException e) {
        return e instanceof IllegalArgumentException || e instanceof NullPointerException;
    }

    @Override
    public void close() {
        closing = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            try {
                delegate.recordSpend(left.entries());
                left.done().complete(null);
            } catch (RuntimeException e) {
                left.done().completeExceptionally(e);
            }
        }
        delegate.close();
    }

    @Override
    public void createTeam(Team team) {
        delegate.createTeam(team);
    }

    @Override
    public Optional<Team> team(String id) {
        return delegate.team(id);
    }

    @Override
    public List<Team> teams() {
        return delegate.teams();
    }

    @Override
    public boolean updateTeam(Team team) {
        return delegate.updateTeam(team);
    }

    @Override
    public boolean deleteTeam(String id) {
        return delegate.deleteTeam(id);
    }

    @Override
    public void createKey(VirtualKey key) {
        delegate.createKey(key);
    }

    @Override
    public Optional<VirtualKey> key(String id) {
        return delegate.key(id);
    }

    @Override
    public Optional<VirtualKey> keyByHash(String hash) {
        return delegate.keyByHash(hash);
    }

    @Override
    public List<VirtualKey> keys() {
        return delegate.keys();
    }

    @Override
    public boolean updateKey(VirtualKey key) {
        return delegate.updateKey(key);
    }

    @Override
    public List<SpendQuery.Row> spend(SpendQuery query) {
        return delegate.spend(query);
    }

    @Override
    public long keySpentMicros(String keyId, Instant from) {
        return delegate.keySpentMicros(keyId, from);
    }

    @Override
    public long teamSpentMicros(String teamId, Instant from) {
        return delegate.teamSpentMicros(teamId, from);
    }

    @Override
    public java.util.Optional<dev.tollgate.spi.store.ResponseStore> responses() {
        return delegate.responses();
    }
}
