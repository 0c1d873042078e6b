package dev.tollgate.kernel.pipeline;

import dev.tollgate.kernel.plugin.ContextClassLoader;
import dev.tollgate.kernel.upstream.UpstreamClient;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.ProviderCall;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * One attempt of one request on one deployment: the {@link ProviderCall} an adapter sees. It is
 * confined to the request's I/O thread. Every entry into plugin code (HTTP callbacks, scheduled
 * tasks, completions) runs with the plugin's class loader as context class loader; cancelling
 * closes every upstream exchange and drops every pending task.
 */
final class Attempt implements ProviderCall {

    static final Duration FINISH_GRACE = Duration.ofSeconds(5);

    private final String requestId;
    private final XnioIoThread thread;
    private final UpstreamClient client;
    private final ClassLoader pluginLoader;
    private final List<UpstreamClient.Handle> exchanges = new ArrayList<>(1);
    private final List<XnioExecutor.Key> timers = new ArrayList<>(2);
    private final UpstreamHttp http = new BoundHttp();
    private boolean cancelled;
    private boolean paused;

    Attempt(String requestId, XnioIoThread thread, UpstreamClient client, ClassLoader pluginLoader) {
        this.requestId = requestId;
        this.thread = thread;
        this.client = client;
        this.pluginLoader = pluginLoader;
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
        XnioExecutor.Key[] self = new XnioExecutor.Key[1];
        Runnable run = () -> {
            timers.remove(self[0]);
            if (!cancelled) {
                ContextClassLoader.run(pluginLoader, task);
            }
        };
        long nanos = Math.max(0, delay.toNanos());
        if (nanos == 0) {
            thread.execute(run);
            return;
        }
        self[0] = thread.executeAfter(run, nanos, TimeUnit.NANOSECONDS);
        timers.add(self[0]);
    }

    /** Runs kernel code after {@code delay} on the attempt's thread unless cancelled first. */
    void kernelTimer(Duration delay, Runnable task) {
        XnioExecutor.Key[] self = new XnioExecutor.Key[1];
        self[0] = thread.executeAfter(() -> {
            timers.remove(self[0]);
            if (!cancelled) {
                task.run();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
        timers.add(self[0]);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Ends an attempt whose answer is complete. Pending tasks are dropped, but upstream exchanges
     * still reading (a stream's last bytes after {@code [DONE]}) may finish, so that their
     * connections go back to the pool; whatever still runs after {@link #FINISH_GRACE} is cancelled.
     */
    void finish() {
        if (cancelled) {
            return;
        }
        for (XnioExecutor.Key k : timers) {
            k.remove();
        }
        timers.clear();
        if (exchanges.isEmpty()) {
            cancelled = true;
            return;
        }
        thread.executeAfter(this::cancel, FINISH_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        for (XnioExecutor.Key k : timers) {
            k.remove();
        }
        timers.clear();
        for (UpstreamClient.Handle h : exchanges) {
            h.cancel();
        }
        exchanges.clear();
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

    private final class BoundHttp implements UpstreamHttp {
        @Override
        public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
            CompletableFuture<UpstreamResponse> out = new CompletableFuture<>();
            if (cancelled) {
                out.completeExceptionally(GatewayException.internal("the request was cancelled", null));
                return out;
            }
            UpstreamClient.Handle[] handle = new UpstreamClient.Handle[1];
            client.send(thread, request, handle).whenComplete((r, e) -> {
                exchanges.remove(handle[0]);
                if (cancelled) {
                    return;
                }
                ContextClassLoader.run(pluginLoader, () -> {
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
        public void stream(UpstreamRequest request, ResponseHandler handler) {
            if (cancelled) {
                return;
            }
            UpstreamClient.Handle[] self = new UpstreamClient.Handle[1];
            ResponseHandler guarded = new ResponseHandler() {
                @Override
                public void onHeaders(int status, Headers headers) {
                    if (!cancelled) {
                        ContextClassLoader.run(pluginLoader, () -> handler.onHeaders(status, headers));
                    }
                }

                @Override
                public void onBody(ByteBuffer chunk) {
                    if (!cancelled) {
                        ContextClassLoader.run(pluginLoader, () -> handler.onBody(chunk));
                    }
                }

                @Override
                public void onComplete() {
                    exchanges.remove(self[0]);
                    if (!cancelled) {
                        ContextClassLoader.run(pluginLoader, handler::onComplete);
                    }
                }

                @Override
                public void onError(GatewayException error) {
                    exchanges.remove(self[0]);
                    if (!cancelled) {
                        ContextClassLoader.run(pluginLoader, () -> handler.onError(error));
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
