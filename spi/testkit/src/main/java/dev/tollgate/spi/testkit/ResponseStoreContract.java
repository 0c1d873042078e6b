package dev.tollgate.spi.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ResponseStore} contract as JUnit 5 tests. A store's test extends this class and
 * implements {@link #newStore()}, a fresh, empty {@link GovernanceStore} whose
 * {@link GovernanceStore#responses()} is present; every test gets one and closes it after.
 *
 * <pre>{@code
 * class PostgresResponseStoreTest extends ResponseStoreContract {
 *     protected GovernanceStore newStore() { return ...; }
 * }
 * }</pre>
 *
 * Instants are microsecond instants, the precision every store keeps.
 */
public abstract class ResponseStoreContract {

    protected static final Instant CREATED = Instant.parse("2026-03-01T10:15:30.123456Z");

    private GovernanceStore owner;
    /** The response store under test. */
    protected ResponseStore store;

    /** A new, empty governance store that keeps responses; called before every test. */
    protected abstract GovernanceStore newStore();

    @BeforeEach
    void openStore() {
        owner = newStore();
        store = owner.responses().orElseThrow(() -> new AssertionError("responses() is empty: the store keeps no responses"));
    }

    @AfterEach
    void closeStore() {
        if (owner != null) {
            owner.close();
        }
    }

    /** A response with every field set; {@code previousId} may be null. */
    protected static StoredResponse full(String id, String previousId) {
        return StoredResponse.builder().id(id).previousId(previousId).keyId("key-1").teamId("team-1").model("gpt-4o")
                .createdAt(CREATED).expiresAt(CREATED.plus(Duration.ofDays(30))).deployment("openai-eu")
                .turn(utf8("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"h\u00e9llo " + id + "\"}]"))
                .response(utf8("{\"id\":\"" + id + "\",\"object\":\"response\"}")).build();
    }

    /** A response with only the required fields. */
    protected static StoredResponse bare(String id, String previousId) {
        return StoredResponse.builder().id(id).previousId(previousId).model("m").createdAt(CREATED).turn(utf8("[]"))
                .response(utf8("{}")).build();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> ids(List<StoredResponse> rs) {
        return rs.stream().map(StoredResponse::id).toList();
    }

    @Test
    void putThenGetRoundTripsEveryFieldBytesExact() {
        StoredResponse full = full("resp_full", "resp_before");
        StoredResponse bare = bare("resp_bare", null);
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        StoredResponse odd = bare("resp_odd", null).toBuilder().turn(new byte[0]).response(binary).build();
        store.put(full);
        store.put(bare);
        store.put(odd);

        assertEquals(Optional.of(full), store.get("resp_full"));
        StoredResponse back = store.get("resp_bare").orElseThrow();
        assertEquals(bare, back);
        assertEquals(null, back.previousId());
        assertEquals(null, back.keyId());
        assertEquals(null, back.teamId());
        assertEquals(null, back.expiresAt());
        assertEquals(null, back.deployment());
        StoredResponse oddBack = store.get("resp_odd").orElseThrow();
        assertArrayEquals(new byte[0], oddBack.turn(), "an empty turn comes back empty, not missing");
        assertArrayEquals(binary, oddBack.response(), "every byte value round-trips");
    }

    @Test
    void unknownIdsAreEmptyOrFalseNeverErrors() {
        assertEquals(Optional.empty(), store.get("resp_none"));
        assertEquals(List.of(), store.chain("resp_none", 10, Long.MAX_VALUE));
        assertFalse(store.delete("resp_none"));
        assertEquals(0, store.deleteExpired(CREATED, 10));
    }

    @Test
    void aDuplicateIdIsRefusedAndLeavesTheFirstInPlace() {
        StoredResponse first = full("resp_1", null);
        store.put(first);
        assertThrows(IllegalArgumentException.class, () -> store.put(bare("resp_1", null)));
        assertEquals(Optional.of(first), store.get("resp_1"));
    }

    @Test
    void chainIsNewestFirstBoundedByMaxDepth() {
        store.put(full("resp_a", null));
        store.put(full("resp_b", "resp_a"));
        store.put(bare("resp_c", "resp_b"));
        store.put(full("resp_d", "resp_c"));
        store.put(full("resp_other", "resp_a"));

        assertEquals(List.of("resp_d", "resp_c", "resp_b", "resp_a"), ids(store.chain("resp_d", 100, Long.MAX_VALUE)));
        assertEquals(List.of("resp_d", "resp_c"), ids(store.chain("resp_d", 2, Long.MAX_VALUE)));
        assertEquals(List.of("resp_d"), ids(store.chain("resp_d", 1, Long.MAX_VALUE)));
        assertEquals(List.of("resp_b", "resp_a"), ids(store.chain("resp_b", 100, Long.MAX_VALUE)));
        assertEquals(List.of("resp_other", "resp_a"), ids(store.chain("resp_other", 100, Long.MAX_VALUE)));
        assertEquals(full("resp_b", "resp_a"), store.chain("resp_d", 100, Long.MAX_VALUE).get(2), "chain members are whole responses");
    }

    @Test
    void chainEndsOnceItHoldsMoreThanMaxBytesWithTheResponseThatCrossesIt() {
        StoredResponse a = sized("resp_a", null, 400);
        StoredResponse b = sized("resp_b", "resp_a", 300);
        StoredResponse c = sized("resp_c", "resp_b", 200);
        store.put(a);
        store.put(b);
        store.put(c);
        long sizeC = c.turn().length + c.response().length;
        long sizeB = b.turn().length + b.response().length;

        assertEquals(List.of("resp_c", "resp_b", "resp_a"), ids(store.chain("resp_c", 100, Long.MAX_VALUE)));
        assertEquals(List.of("resp_c", "resp_b", "resp_a"), ids(store.chain("resp_c", 100, sizeC + sizeB)),
                "a chain whose first two hold exactly the budget goes on");
        assertEquals(List.of("resp_c", "resp_b"), ids(store.chain("resp_c", 100, sizeC + sizeB - 1)),
                "the response that crosses the budget is the last one");
        assertEquals(List.of("resp_c"), ids(store.chain("resp_c", 100, 1)), "the response asked for comes even when it alone crosses it");
        assertEquals(c, store.chain("resp_c", 100, 1).get(0), "whole, bytes and all");
    }

    /** A response whose turn and answer hold {@code bytes} bytes each, each byte value in turn. */
    private static StoredResponse sized(String id, String previousId, int bytes) {
        byte[] turn = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            turn[i] = (byte) i;
        }
        return StoredResponse.builder().id(id).previousId(previousId).model("m").createdAt(CREATED).turn(turn)
                .response(turn.clone()).build();
    }

    @Test
    void chainEndsEarlyAtTheFirstAncestorThatIsNotStored() {
        store.put(full("resp_a", null));
        store.put(full("resp_b", "resp_a"));
        store.put(full("resp_c", "resp_b"));
        store.put(full("resp_orphan", "resp_never"));
        assertTrue(store.delete("resp_b"));

        assertEquals(List.of("resp_c"), ids(store.chain("resp_c", 100, Long.MAX_VALUE)));
        assertEquals(List.of("resp_orphan"), ids(store.chain("resp_orphan", 100, Long.MAX_VALUE)));
        assertEquals(List.of("resp_a"), ids(store.chain("resp_a", 100, Long.MAX_VALUE)), "deleting one leaves its ancestors");
    }

    @Test
    void deleteRemovesOneResponseOnce() {
        store.put(full("resp_a", null));
        store.put(full("resp_b", "resp_a"));
        assertTrue(store.delete("resp_b"));
        assertFalse(store.delete("resp_b"));
        assertEquals(Optional.empty(), store.get("resp_b"));
        assertEquals(Optional.of(full("resp_a", null)), store.get("resp_a"));
    }

    @Test
    void storedResponsesComeBackExpiredOrNotUntilPurged() {
        StoredResponse old = full("resp_old", null).toBuilder().expiresAt(CREATED.minusSeconds(60)).build();
        store.put(old);
        assertEquals(Optional.of(old), store.get("resp_old"), "the store does not judge expiry; the kernel does");
    }

    @Test
    void deleteExpiredDeletesAtOrBeforeNowUpToTheLimit() {
        Instant now = CREATED.plusSeconds(3600);
        for (int i = 0; i < 5; i++) {
            store.put(bare("resp_gone" + i, null).toBuilder().expiresAt(now.minusSeconds(i)).build());
        }
        store.put(bare("resp_later", null).toBuilder().expiresAt(now.plusNanos(1000)).build());
        store.put(bare("resp_forever", null));

        assertEquals(2, store.deleteExpired(now, 2));
        assertEquals(2, store.deleteExpired(now, 2));
        assertEquals(1, store.deleteExpired(now, 2), "the last one, exactly at now");
        assertEquals(0, store.deleteExpired(now, 2));
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.empty(), store.get("resp_gone" + i));
        }
        assertTrue(store.get("resp_later").isPresent(), "one microsecond after now is kept");
        assertTrue(store.get("resp_forever").isPresent(), "no expiry: kept until deleted");
        assertEquals(1, store.deleteExpired(now.plusSeconds(1), 10));
        assertTrue(store.get("resp_forever").isPresent());
    }

    @Test
    void concurrentPutsOfDistinctAndOfTheSameIdsFromEightThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger refused = new AtomicInteger();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        store.put(bare("resp_t" + thread + "_" + i, i == 0 ? null : "resp_t" + thread + "_" + (i - 1)));
                        try {
                            store.put(bare("resp_shared_" + i, null));
                        } catch (IllegalArgumentException e) {
                            refused.incrementAndGet();
                        }
                        store.chain("resp_t" + thread + "_" + i, 5, Long.MAX_VALUE);
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(7 * 25, refused.get(), "each shared id is stored once and refused seven times");
        Set<String> seen = new HashSet<>(ids(store.chain("resp_t3_24", 100, Long.MAX_VALUE)));
        assertEquals(25, seen.size());
        for (int i = 0; i < 25; i++) {
            assertTrue(store.get("resp_shared_" + i).isPresent());
        }
    }
}
