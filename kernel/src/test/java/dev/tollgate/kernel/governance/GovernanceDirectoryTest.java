package dev.tollgate.kernel.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.store.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GovernanceDirectoryTest {

    /** A store whose first keys() read is held until the test lets it go, so it finishes after a later one. */
    static final class SlowFirstRead extends InMemoryGovernanceStore {
        final CountDownLatch readStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private volatile boolean first = true;

        @Override
        public List<VirtualKey> keys() {
            List<VirtualKey> now = super.keys();
            if (first) {
                first = false;
                readStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return now;
        }
    }

    @Test
    void aReloadThatReadBeforeAKeyWasCreatedNeverHidesTheKey() throws Exception {
        SlowFirstRead store = new SlowFirstRead();
        GovernanceDirectory directory = new GovernanceDirectory();
        // an announcement's reload reads the store before the key exists, and is slow to finish
        Thread stale = Thread.ofPlatform().start(() -> directory.reload(store));
        assertThat(store.readStarted.await(10, TimeUnit.SECONDS)).isTrue();
        store.createKey(VirtualKey.builder().id("key_1").name("alice").prefix("tg-AAAAAAAA").hash("h1").allowedModels(Set.of())
                .metadata(Map.of()).enabled(true).createdAt(Instant.EPOCH).build());
        directory.reload(store);
        assertThat(directory.keyByHash("h1")).isPresent();
        store.release.countDown();
        stale.join(10_000);
        assertThat(directory.keyByHash("h1")).as("the older read was dropped").isPresent();
    }
}
