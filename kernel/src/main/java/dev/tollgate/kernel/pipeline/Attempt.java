package dev.tollgate.kernel.pipeline;

import dev.tollgate.kernel.plugin.ContextClassLoader;
import dev.tollgate.kernel.time.Scheduler;
import dev.tollgate.kernel.upstream.UpstreamClient;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.provider.ProviderCall;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xnio.XnioIoThread;

/**
 * One attempt of one request on one deployment: the {@link ProviderCall} an adapter sees, and the
 * record the request keeps of it. Confined to the request's I/O thread. Every entry into plugin
 * code (HTTP callbacks, scheduled tasks, completions) runs with the plugin's class loader as
 * context class loader; cancelling closes every upstream exchange and drops every pending task.
 */
final class Attempt implements ProviderCall {

    static final Duration FINISH_GRACE = Duration.ofSeconds(5);

    final int index;
    final Deployment deployment;
    final long startNanos;
    private final String requestId;
    private final XnioIoThread thread;
    private final UpstreamClient client;
    private final Scheduler scheduler;
    private final List<UpstreamClient.Handle> exchanges = new ArrayList<>(1);
    private final List<Scheduler.Cancellable> timers = new ArrayList<>(2);
    private final UpstreamHttp http = new BoundHttp();
    private final dev.tollgate.kernel.tracing.TraceContext trace;
    /** This attempt's span: the parent named in the upstream's {@code traceparent}; null when untraced. */
    final String spanId;
    private boolean cancelled;
    private boolean paused;
    private boolean ended;
    long firstEventNanos = -1;
    long lastEventNanos = -1;
    long endNanos = -1;
    AttemptRecord.Result result;
    String errorCode;
    Usage usage;
    /** The provider's id of the answer it passed through (a Responses {@code resp_...}), when the adapter observed one. */
    String responseId;

    Attempt(int index, Deployment deployment, String requestId, XnioIoThread thread, UpstreamClient client, Scheduler scheduler,
            long startNanos) {
        this(index, deployment, requestId, thread, client, scheduler, startNanos, null);
    }

    /** @param trace the client's trace context: every upstream call of this attempt carries a child of it, or {@code null} */
    Attempt(int index, Deployment deployment, String requestId, XnioIoThread thread, UpstreamClient client, Scheduler scheduler,
            long startNanos, dev.tollgate.kernel.tracing.TraceContext trace) {
        this.trace = trace;
        this.spanId = trace == null ? null : dev.tollgate.kernel.tracing.TraceContext.newSpanId();
        this.index = index;
        this.deployment = deployment;
        this.requestId = requestId;
        this.thread = thread;
        this.client = client;
        this.scheduler = scheduler;
        this.startNanos = startNanos;
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
        if (cancelled) {
            return;
        }
        Scheduler.Cancellable[] self = new Scheduler.Cancellable[1];
        self[0] = scheduler.schedule(thread, Math.max(0, delay.toNanos()), () -> {
            timers.remove(self[0]);
            if (!cancelled) {
                ContextClassLoader.run(deployment.pluginLoader(), task);
            }
        });
        if (!cancelled) {
            timers.add(self[0]);
        }
    }

    /** Runs kernel code after {@code delay} on the attempt's thread unless the attempt ended first. */
    void kernelTimer(Duration delay, Runnable task) {
        Scheduler.Cancellable[] self = new Scheduler.Cancellable[1];
        self[0] = scheduler.timeout(thread, delay.toNanos(), () -> {
            timers.remove(self[0]);
            if (!cancelled && !ended) {
                task.run();
            }
        });
        timers.add(self[0]);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    boolean isEnded() {
        return ended;
    }

    /** Records the end of the attempt (once); the caller then finishes or cancels its I/O. */
    boolean end(AttemptRecord.Result result, String errorCode, long nowNanos) {
        if (ended) {
            return false;
        }
        ended = true;
        this.result = result;
        this.errorCode = errorCode;
        this.endNanos = nowNanos;
        deployment.ended(result, startNanos, firstEventNanos, nowNanos);
        return true;
    }

    AttemptRecord record() {
        long end = endNanos < 0 ? startNanos : endNanos;
        return new AttemptRecord(index, deployment.id(), result == null ? AttemptRecord.Result.CANCELLED : result, errorCode,
                Duration.ofNanos(Math.max(0, end - startNanos)),
                firstEventNanos < 0 ? null : Duration.ofNanos(firstEventNanos - startNanos), usage);
    }

    /**
     * Ends an attempt whose answer is complete. Pending tasks are dropped, but upstream exchanges
     * still reading (a stream's last bytes after its end) may finish, so that their connections go
     * back to the pool; whatever still runs after {@link #FINISH_GRACE} is cancelled.
     */
    void finish() {
        if (cancelled) {
            return;
        }
        dropTimers();
        if (exchanges.isEmpty()) {
            cancelled = true;
            return;
        }
        scheduler.timeout(thread, FINISH_GRACE.toNanos(), this::cancel);
    }

    void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        dropTimers();
        for (UpstreamClient.Handle h : exchanges) {
            h.cancel();
        }
        exchanges.clear();
    }

    private void dropTimers() {
        for (Scheduler.Cancellable k : timers) {
            k.cancel();
        }
        timers.clear();
    }

    /** Stops reading upstream while the client is slower than the provider. */
    void pauseUpstream() {
        if (!paused) {
            paused = true;
            exchanges.forEach(UpstreamClient.Handle::pause);
        }
    }

    void resumeUpstream() {
        if (paused) {
            paused = false;
            exchanges.forEach(UpstreamClient.Handle::resume);
        }
    }

    /** The request with a child {@code traceparent} (and the client's {@code tracestate}), unless the adapter set its own. */
    private UpstreamRequest traced(UpstreamRequest r) {
        if (trace == null || r.headers().first("traceparent").isPresent()) {
            return r;
        }
        dev.tollgate.spi.http.Headers.Builder h = r.headers().toBuilder().add("traceparent", trace.header(spanId));
        if (trace.state() != null && r.headers().first("tracestate").isEmpty()) {
            h.add("tracestate", trace.state());
        }
        return new UpstreamRequest(r.method(), r.uri(), h.build(), r.body(), r.connectTimeout(), r.responseTimeout(), r.idleTimeout(),
                r.totalTimeout(), r.protocol());
    }

    private final class BoundHttp implements UpstreamHttp {
        @Override
        public CompletionStage<UpstreamResponse> send(UpstreamRequest original) {
            UpstreamRequest request = traced(original);
            CompletableFuture<UpstreamResponse> out = new CompletableFuture<>();
            if (cancelled) {
                out.completeExceptionally(GatewayException.internal("the request was cancelled", null));
                return out;
            }
            UpstreamClient.Handle[] handle = new UpstreamClient.Handle[1];
            client.send(thread, request, handle).whenComplete((r, e) -> {
                exchanges.remove(handle[0]);
                if (r != null) {
                    deployment.observeRateLimits(r.headers());
                }
                if (cancelled) {
                    return;
                }
                ContextClassLoader.run(deployment.pluginLoader(), () -> {
                    if (e != null) {
                        out.completeExceptionally(e);
                    } else {
                        out.complete(r);
                    }
                });
            });
            if (handle[0] != null && !out.isDone()) {
                exchanges.add(handle[0]);
            }
            return out;
        }

        @Override
        public void stream(UpstreamRequest original, ResponseHandler handler) {
            UpstreamRequest request = traced(original);
            if (cancelled) {
                return;
            }
            ClassLoader loader = deployment.pluginLoader();
            UpstreamClient.Handle[] self = new UpstreamClient.Handle[1];
            ResponseHandler guarded = new ResponseHandler() {
                @Override
                public void onHeaders(int status, Headers headers) {
                    deployment.observeRateLimits(headers);
                    if (!cancelled) {
                        ContextClassLoader.run(loader, () -> handler.onHeaders(status, headers));
                    }
                }

                @Override
                public void onBody(ByteBuffer chunk) {
                    if (!cancelled) {
                        ContextClassLoader.run(loader, () -> handler.onBody(chunk));
                    }
                }

                @Override
                public void onComplete() {
                    exchanges.remove(self[0]);
                    if (!cancelled) {
                        ContextClassLoader.run(loader, handler::onComplete);
                    }
                }

                @Override
                public void onError(GatewayException error) {
                    exchanges.remove(self[0]);
                    if (!cancelled) {
                        ContextClassLoader.run(loader, () -> handler.onError(error));
                    }
                }
            };
            self[0] = client.exchange(thread, request, guarded);
            exchanges.add(self[0]);
            if (paused) {
                self[0].pause();
            }
        }
    }
}
