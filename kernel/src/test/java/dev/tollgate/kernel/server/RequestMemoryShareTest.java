package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A request's share of the request memory is given back exactly once, whichever paths try. */
class RequestMemoryShareTest {

    @Test
    void givesBackExactlyOnceAndRefusesToGrowAfterwards() {
        RequestMemory memory = new RequestMemory(10_000);
        RequestMemory.Share share = memory.share();
        assertThat(share.grow(4096)).isTrue();
        assertThat(share.grow(4096)).isTrue();
        assertThat(memory.used()).isEqualTo(8192);
        share.release();
        share.release();
        assertThat(memory.used()).isZero();
        assertThat(share.grow(1)).isFalse();
        assertThat(memory.used()).isZero();
    }

    @Test
    void refusesAGrowthPastTheCapAndKeepsWhatWasHeld() {
        RequestMemory memory = new RequestMemory(10_000);
        RequestMemory.Share first = memory.share();
        RequestMemory.Share second = memory.share();
        assertThat(first.grow(8000)).isTrue();
        assertThat(second.grow(4000)).isFalse();
        assertThat(memory.used()).isEqualTo(8000);
        first.release();
        assertThat(second.grow(4000)).isTrue();
        assertThat(memory.used()).isEqualTo(4000);
    }
}
