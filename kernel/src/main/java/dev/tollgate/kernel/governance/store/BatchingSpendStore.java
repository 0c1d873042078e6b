package dev.tollgate.kernel.governance.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.governance.AsyncSpendRecorder;
import dev.tollgate.kernel.governance.GovernanceStore;
import dev.tollgate.kernel.governance.SpendEntry;
import dev.tollgate.kernel.governance.SpendQuery;
import dev.tollgate.kernel.governance.Team;
import dev.tollgate.kernel.governance.VirtualKey;
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
 */
public final class BatchingSpendStore implements GovernanceStore, AsyncSpendRecorder {

    private static final Logger log = LoggerFactory.getLogger(BatchingSpendStore.class);
    static final int QUEUE = 16_384;
    static final int MAX_BATCH = 1_000;
    /** How long the writer waits after the first entry of a batch for more: the ledger is durable this much later. */
    static final long LINGER_NANOS = 1_000_000;

    private record Pending(List<SpendEntry> entries, CompletableFuture<Void> done) {}

    private final GovernanceStore delegate;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private final LongAdder commits = new LongAdder();
    private volatile boolean closing;

    public BatchingSpendStore(GovernanceStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
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
                try {
                    delegate.recordSpend(p.entries());
                    p.done().complete(null);
                } catch (RuntimeException e) {
                    p.done().completeExceptionally(e);
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
        try {
            delegate.recordSpend(all);
            commits.increment();
            batch.forEach(p -> p.done().complete(null));
        } catch (RuntimeException together) {
            // one caller's bad entry must not fail the others: write each caller's entries alone
            for (Pending p : batch) {
                try {
                    delegate.recordSpend(p.entries());
                    commits.increment();
                    p.done().complete(null);
                } catch (RuntimeException alone) {
                    p.done().completeExceptionally(alone);
                }
            }
        }
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
}
