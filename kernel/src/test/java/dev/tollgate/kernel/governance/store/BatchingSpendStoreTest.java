package dev.tollgate.kernel.governance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.governance.InMemoryGovernanceStore;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Settlements from many threads become few transactions, and none is lost or failed by another's. */
class BatchingSpendStoreTest {

    private static SpendEntry entry(String id) {
        return SpendEntry.builder().requestId(id).at(Instant.parse("2026-12-02T10:00:00Z")).keyId("key_1")
                .teamPath(List.of("team_1")).model("m").microUsd(7L).inputTokens(3).outputTokens(2).build();
    }

    /** Holds the first write until released, counts every write, and refuses a batch holding request "bad". */
    private static final class GatedStore extends InMemoryGovernanceStore {
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public void recordSpend(List<SpendEntry> entries) {
            if (writes.incrementAndGet() == 1) {
                firstWriteStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (entries.stream().anyMatch(e -> e.requestId().equals("bad"))) {
                throw new IllegalArgumentException("bad entry");
            }
            super.recordSpend(entries);
        }
    }

    private static long recorded(InMemoryGovernanceStore s) {
        return s.spend(new SpendQuery(SpendQuery.GroupBy.KEY, null, null)).stream().mapToLong(SpendQuery.Row::requests).sum();
    }

    private static void awaitQueued(BatchingSpendStore store, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.queued() < n) {
            assertThat(System.nanoTime()).as("callers queued in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void callersThatArriveDuringACommitShareTheNextOne() throws Exception {
        GatedStore inner = new GatedStore();
        BatchingSpendStore store = new BatchingSpendStore(inner);
        List<Thread> callers = new ArrayList<>();
        callers.add(Thread.ofVirtual().start(() -> store.recordSpend(List.of(entry("r0")))));
        assertThat(inner.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < 200; i++) {
            String id = "r" + i;
            callers.add(Thread.ofVirtual().start(() -> store.recordSpend(List.of(entry(id)))));
        }
        awaitQueued(store, 199);

        inner.release.countDown();
        for (Thread t : callers) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).isFalse();
        }

        assertThat(recorded(inner)).isEqualTo(200);
        assertThat(inner.writes.get()).isEqualTo(2);
        assertThat(store.commits()).isEqualTo(2);
        store.close();
    }

    @Test
    void aBadEntryFailsOnlyItsOwnCaller() throws Exception {
        GatedStore inner = new GatedStore();
        BatchingSpendStore store = new BatchingSpendStore(inner);
        Thread first = Thread.ofVirtual().start(() -> store.recordSpend(List.of(entry("r0"))));
        assertThat(inner.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicInteger failures = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (String id : List.of("r1", "bad", "r2")) {
            callers.add(Thread.ofVirtual().start(() -> {
                try {
                    store.recordSpend(List.of(entry(id)));
                } catch (IllegalArgumentException e) {
                    failures.incrementAndGet();
                }
            }));
        }
        awaitQueued(store, 3);
        inner.release.countDown();
        first.join(10_000);
        for (Thread t : callers) {
            t.join(10_000);
        }

        assertThat(failures.get()).isEqualTo(1);
        assertThat(recorded(inner)).isEqualTo(3);
        store.close();
    }

    @Test
    void aCallerReturnsOnceItsEntryIsWrittenAndClosingStopsTheWriter() {
        InMemoryGovernanceStore inner = new InMemoryGovernanceStore();
        BatchingSpendStore store = new BatchingSpendStore(inner);
        store.recordSpend(List.of(entry("before")));
        store.close();

        assertThat(recorded(inner)).isEqualTo(1);
    }

    @Test
    void anAsynchronousRecordCompletesOnlyOnceItsTransactionIsCommitted() throws Exception {
        GatedStore inner = new GatedStore();
        BatchingSpendStore store = new BatchingSpendStore(inner);
        var first = store.recordSpendAsync(List.of(entry("r0"))).toCompletableFuture();
        assertThat(inner.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        var second = store.recordSpendAsync(List.of(entry("r1"))).toCompletableFuture();
        awaitQueued(store, 1);

        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        inner.release.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);

        assertThat(recorded(inner)).isEqualTo(2);
        store.close();
    }

    /** Fails its first {@code failures} writes as a database that is down would. */
    private static final class FlakyStore extends InMemoryGovernanceStore {
        final AtomicInteger failuresLeft;
        final AtomicInteger attempts = new AtomicInteger();

        FlakyStore(int failures) {
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public void recordSpend(List<SpendEntry> entries) {
            attempts.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new dev.tollgate.spi.store.StoreException("recordSpend: connection refused");
            }
            super.recordSpend(entries);
        }
    }

    private static final BatchingSpendStore.Retry QUICK = new BatchingSpendStore.Retry(4, java.time.Duration.ofNanos(1),
            java.time.Duration.ofNanos(1));

    @Test
    void aWriteTheStoreFailsIsRetriedAndNothingIsLost() {
        FlakyStore inner = new FlakyStore(3);
        dev.tollgate.kernel.metrics.KernelMetrics metrics = new dev.tollgate.kernel.metrics.KernelMetrics();
        BatchingSpendStore store = new BatchingSpendStore(inner, QUICK, metrics);

        store.recordSpendAsync(List.of(entry("r1"), entry("r2"))).toCompletableFuture().join();

        assertThat(recorded(inner)).isEqualTo(2);
        assertThat(inner.attempts.get()).isEqualTo(4);
        assertThat(store.retriedWrites()).isEqualTo(3);
        assertThat(store.droppedEntries()).isZero();
        assertThat(metrics.prometheus()).contains("tollgate_ledger_write_retries_total 3");
        store.close();
    }

    @Test
    void entriesStillUnwrittenAfterEveryRetryFailTheirCallerAndAreCountedAsDropped() {
        FlakyStore inner = new FlakyStore(Integer.MAX_VALUE);
        dev.tollgate.kernel.metrics.KernelMetrics metrics = new dev.tollgate.kernel.metrics.KernelMetrics();
        BatchingSpendStore store = new BatchingSpendStore(inner, QUICK, metrics);

        var done = store.recordSpendAsync(List.of(entry("r1"), entry("r2"), entry("r3"))).toCompletableFuture();

        assertThat(done).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(dev.tollgate.spi.store.StoreException.class);
        assertThat(inner.attempts.get()).isEqualTo(4);
        assertThat(store.droppedEntries()).isEqualTo(3);
        assertThat(metrics.prometheus()).contains("tollgate_ledger_dropped_entries_total 3");
        store.close();
    }
}
