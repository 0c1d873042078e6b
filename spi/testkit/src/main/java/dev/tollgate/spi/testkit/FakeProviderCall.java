package dev.tollgate.spi.testkit;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.ProviderCall;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProviderCall} that, like the kernel, runs every callback of the call on one thread:
 * scheduled tasks and the completions of its {@link #http()} all land on a private single-thread
 * executor. Close it after the test.
 *
 * <p>Given a {@link ManualTime}, {@link #schedule} waits for that time instead of the real one:
 * a task runs when {@link ManualTime#advance} passes its due time, on the call's thread, and
 * {@code advance} returns only after it ran. So a test of backoff or pacing never sleeps.
 */
public final class FakeProviderCall implements ProviderCall, AutoCloseable {

    private final String requestId;
    private final ScheduledExecutorService thread;
    private final UpstreamHttp http;
    private final ManualTime time;
    private volatile Thread callThread;
    private volatile boolean cancelled;

    /** A call whose scheduled tasks wait for real time. */
    public FakeProviderCall(String requestId, UpstreamHttp upstream) {
        this(requestId, upstream, null);
    }

    /** A call whose scheduled tasks wait for {@code time} ({@code null}: real time). */
    public FakeProviderCall(String requestId, UpstreamHttp upstream, ManualTime time) {
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fake-call-" + requestId);
            t.setDaemon(true);
            callThread = t;
            return t;
        });
        this.http = new OnThread(requireNonNull(upstream, "upstream is null"), thread);
        this.time = time;
    }

    /** A call whose HTTP client fails every request; for adapters that call no upstream. */
    public static FakeProviderCall withoutUpstream(String requestId) {
        return new FakeProviderCall(requestId, ScriptedUpstreamHttp.always(ScriptedUpstreamHttp.Reply.failure(
                dev.tollgate.spi.GatewayException.internal("no upstream in this test", null))));
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public UpstreamHttp http() {
        return http;
    }

    /** A call without upstream whose scheduled tasks wait for {@code time}. */
    public static FakeProviderCall withoutUpstream(String requestId, ManualTime time) {
        return new FakeProviderCall(requestId, ScriptedUpstreamHttp.always(ScriptedUpstreamHttp.Reply.failure(
                dev.tollgate.spi.GatewayException.internal("no upstream in this test", null))), requireNonNull(time, "time is null"));
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
        Runnable unlessCancelled = () -> {
            if (!cancelled) {
                task.run();
            }
        };
        if (time != null) {
            time.schedule(delay, () -> runOnCallThread(unlessCancelled));
        } else {
            thread.schedule(unlessCancelled, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /** Cancels the call, as the kernel does when the client goes away. */
    public void cancel() {
        cancelled = true;
    }

    /** Runs {@code task} on the call's thread and waits for it: start adapter calls with this. */
    public void runOnCallThread(Runnable task) {
        if (Thread.currentThread() == callThread) {
            task.run();
            return;
        }
        try {
            thread.submit(task).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task on the call thread failed", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private record OnThread(UpstreamHttp delegate, ExecutorService thread) implements UpstreamHttp {
        @Override
        public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
            CompletableFuture<UpstreamResponse> out = new CompletableFuture<>();
            thread.execute(() -> delegate.send(request).whenComplete((r, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(r);
                }
            }));
            return out;
        }

        @Override
        public void stream(UpstreamRequest request, ResponseHandler handler) {
            thread.execute(() -> delegate.stream(request, handler));
        }
    }
}
