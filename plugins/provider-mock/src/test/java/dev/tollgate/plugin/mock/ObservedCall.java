package dev.tollgate.plugin.mock;

import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.testkit.FakeProviderCall;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A call on a {@link FakeProviderCall}'s thread that counts scheduled tasks
 * and has its own cancellation flag, which does not stop tasks already scheduled: the adapter alone
 * must notice it.
 */
final class ObservedCall implements ProviderCall, AutoCloseable {

    private final FakeProviderCall thread = FakeProviderCall.withoutUpstream("req-1");
    private final AtomicInteger scheduled = new AtomicInteger();
    private volatile boolean cancelled;

    @Override
    public String requestId() {
        return thread.requestId();
    }

    @Override
    public UpstreamHttp http() {
        return thread.http();
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
        scheduled.incrementAndGet();
        thread.schedule(delay, task);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }

    int scheduledTasks() {
        return scheduled.get();
    }

    /** Runs {@code task} on the call's thread after everything already due there. */
    void runOnCallThread(Runnable task) {
        thread.runOnCallThread(task);
    }

    @Override
    public void close() {
        thread.close();
    }
}
