package dev.tollgate.kernel.state;

import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.testkit.ManualTime;
import dev.tollgate.spi.testkit.StateBackendContract;
import java.time.Duration;

/** The in-process backend passes the same contract as the Redis one; its time is a manual ticker, so nothing sleeps. */
class InProcessStateBackendContractTest extends StateBackendContract {

    private final ManualTime time = new ManualTime();
    private final InProcessStateBackend shared = new InProcessStateBackend(Runnable::run, time);

    /** Every "instance" is the one backend: in process, that is what instances share. */
    @Override
    protected StateBackend open() {
        return shared;
    }

    @Override
    protected void elapse(Duration d) {
        time.advance(d);
    }
}
