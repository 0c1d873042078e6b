package dev.tollgate.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FakeProviderCallTest {

    @Test
    void onManualTimeATaskRunsOnTheCallThreadWhenTimeReachesIt() {
        ManualTime time = new ManualTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1", time)) {
            call.runOnCallThread(() -> call.schedule(Duration.ofMillis(250), () -> ran.add(Thread.currentThread().getName())));

            time.advance(Duration.ofMillis(249));
            assertThat(ran).isEmpty();
            time.advance(Duration.ofMillis(1));

            assertThat(ran).containsExactly("fake-call-req-1");
        }
    }

    @Test
    void aCancelledCallRunsNoScheduledTask() {
        ManualTime time = new ManualTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-2", time)) {
            call.schedule(Duration.ofSeconds(1), () -> ran.add("ran"));
            call.cancel();

            time.advance(Duration.ofSeconds(2));

            assertThat(ran).isEmpty();
        }
    }

    @Test
    void aTaskThatSchedulesAnotherOnManualTimeRunsBothInOneAdvance() {
        ManualTime time = new ManualTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-3", time)) {
            call.schedule(Duration.ofMillis(10), () -> {
                ran.add("tick");
                call.schedule(Duration.ofMillis(10), () -> ran.add("tock"));
            });

            time.advance(Duration.ofMillis(20));

            assertThat(ran).containsExactly("tick", "tock");
        }
    }
}
