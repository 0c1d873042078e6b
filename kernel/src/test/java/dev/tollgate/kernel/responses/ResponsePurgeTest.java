package dev.tollgate.kernel.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.config.ResponsesSettings;
import dev.tollgate.kernel.governance.store.EmbeddedGovernanceStore;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.store.ResponseStore;
import dev.tollgate.spi.store.StoredResponse;
import dev.tollgate.spi.testkit.ManualTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on manual time: expiresAt from responses.retention, and the periodic purge that deletes in batches. */
class ResponsePurgeTest {

    @TempDir
    Path dir;

    private static StoredResponse response(String id, Instant expiresAt) {
        return StoredResponse.builder().id(id).model("m").createdAt(Instant.EPOCH).expiresAt(expiresAt)
                .turn("[]".getBytes(StandardCharsets.UTF_8)).response("{}".getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void thePeriodicJobPurgesEveryExpiredResponseInBatchesAndKeepsTheRest() {
        ManualTime time = new ManualTime();
        KernelMetrics metrics = new KernelMetrics();
        try (EmbeddedGovernanceStore governance = EmbeddedGovernanceStore.open(dir)) {
            ResponseStore store = governance.responses().orElseThrow();
            ResponsesSettings settings = new ResponsesSettings(true, ResponsesSettings.Visibility.KEY, Duration.ofHours(1), 100, 1 << 20,
                    Duration.ofMinutes(10));
            ResponseState state = new ResponseState(settings, store, time.clock(), Runnable::run, metrics);
            Instant start = time.instant();
            int expiring = ResponseState.PURGE_BATCH + 7;
            for (int i = 0; i < expiring; i++) {
                store.put(response("resp_old" + i, start.plus(Duration.ofMinutes(15))));
            }
            store.put(response("resp_young", start.plus(Duration.ofHours(2))));
            store.put(response("resp_forever", null));

            try (ResponsePurge purge = ResponsePurge.start(state, settings.purgeInterval(), time::schedule, Runnable::run)) {
                time.advance(Duration.ofMinutes(10));
                assertThat(store.get("resp_old0")).as("not expired yet at the first run").isPresent();
                time.advance(Duration.ofMinutes(10));
                for (int i = 0; i < expiring; i++) {
                    assertThat(store.get("resp_old" + i)).isEmpty();
                }
                assertThat(store.get("resp_young")).isPresent();
                assertThat(store.get("resp_forever")).isPresent();
                assertThat(metrics.prometheus()).contains("tollgate_responses_purged_total " + expiring);
                time.advance(Duration.ofHours(2));
                assertThat(store.get("resp_young")).isEmpty();
                assertThat(store.get("resp_forever")).isPresent();
            }
            assertThat(time.pendingTasks()).as("a closed purge schedules nothing more").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aStoredAnswerExpiresAfterTheRetentionOnTheKernelsClock() {
        ManualTime time = new ManualTime();
        try (EmbeddedGovernanceStore governance = EmbeddedGovernanceStore.open(dir)) {
            ResponsesSettings settings = new ResponsesSettings(true, ResponsesSettings.Visibility.KEY, Duration.ofDays(30), 100, 1 << 20,
                    Duration.ofMinutes(10));
            ResponseState state = new ResponseState(settings, governance.responses().orElseThrow(), time.clock(), Runnable::run,
                    new KernelMetrics());
            ResponseState.Prepared p = state.prepareFresh(state.scan("{\"model\":\"m\",\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8)),
                    Principal.ANONYMOUS, "{\"model\":\"m\",\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
            state.storeAnswer(p, "m", ("{\"id\":\"" + p.id() + "\",\"output\":[]}").getBytes(StandardCharsets.UTF_8));
            StoredResponse stored = governance.responses().orElseThrow().get(p.id()).orElseThrow();
            assertThat(stored.expiresAt()).isEqualTo(time.instant().plus(Duration.ofDays(30)));
            assertThat(new String(stored.turn(), StandardCharsets.UTF_8)).isEqualTo("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}]");

            time.advance(Duration.ofDays(30).minusSeconds(1));
            assertThat(state.find(p.id(), Principal.ANONYMOUS)).isPresent();
            time.advance(Duration.ofSeconds(1));
            assertThat(state.find(p.id(), Principal.ANONYMOUS)).isEmpty();
            assertThat(governance.responses().orElseThrow().get(p.id())).as("kept until purged").isPresent();
            assertThat(state.purgeExpired()).isEqualTo(1);
            assertThat(governance.responses().orElseThrow().get(p.id())).isEmpty();
        }
    }
}
