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
 */
public final class FakeProviderCall implements ProviderCall, AutoCloseable {

    private final String requestId;
    private final ScheduledExecutorService thread;
    private final UpstreamHttp http;
    private volatile boolean cancelled;

    public FakeProviderCall(String requestId, UpstreamHttp upstream) {
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fake-call-" + requestId);
            t.setDaemon(true);
            return t;
        });
        this.http = new OnThread(requireNonNull(upstream, "upstream is null"), thread);
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

    @Override
    public void schedule(Duration delay, Runnable task) {
        thread.schedule(() -> {
            if (!cancelled) {
                task.run();
            }
        }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
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
