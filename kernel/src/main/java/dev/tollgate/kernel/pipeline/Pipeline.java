package dev.tollgate.kernel.pipeline;

import dev.tollgate.kernel.server.HangUpWatch;
import dev.tollgate.kernel.server.Responses;
import dev.tollgate.kernel.upstream.UpstreamClient;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.provider.ApiFormat;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.routing.RouteRequest;
import dev.tollgate.spi.routing.RoutingStrategy;
import io.undertow.util.HeaderValues;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.xnio.IoUtils;
import org.slf4j.LoggerFactory;

/**
 * The one path every inference request takes:
 * <pre>authenticate → govern → cache → route → call → respond → account → log</pre>
 * Each stage is a method here, so later capabilities plug into a stage instead of reshaping the
 * path. Stages run on the request's I/O thread; policies (which may block) run on a virtual thread
 * and hand back to the I/O thread. Today the cache and log stages pass through and routing takes
 * the model's first deployment.
 */
public final class Pipeline {

    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

    private final PolicyChain policies;
    private final RoutingStrategy routing;
    private final UpstreamClient upstream;
    private final ExecutorService blocking;
    private final RequestMetrics metrics;

    public Pipeline(PolicyChain policies, UpstreamClient upstream, ExecutorService blocking, RequestMetrics metrics) {
        this.policies = policies;
        this.routing = FirstDeployment.INSTANCE;
        this.upstream = upstream;
        this.blocking = blocking;
        this.metrics = metrics;
    }

    /** Takes a parsed, validated request through the stages. Called on its I/O thread. */
    public void start(GatewayRequest r) {
        metrics.started();
        r.exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                ended(r);
            } finally {
                next.proceed();
            }
        });
        HangUpWatch.watch(r.exchange, () -> clientGone(r));
        if (policies.isEmpty()) {
            cache(r);
            return;
        }
        Headers clientHeaders = clientHeaders(r);
        blocking.execute(() -> {
            GatewayException rejected = policies.admit(r, clientHeaders);
            r.thread.execute(() -> {
                if (rejected != null) {
                    r.errorCode = rejected.code();
                    fail(r, rejected);
                } else {
                    cache(r);
                }
            });
        });
    }

    /** Cache probe: no cache tier is configured yet, so every request goes on to routing. */
    private void cache(GatewayRequest r) {
        if (r.clientGone) {
            return;
        }
        route(r);
    }

    /** The client hung up before its answer was complete: stop the provider call, which keeps its partial usage. */
    private void clientGone(GatewayRequest r) {
        r.clientGone = true;
        if (!r.attemptFinished) {
            r.attemptFinished = true;
            r.errorCode = "client_disconnected";
            if (r.attempt != null) {
                r.attempt.cancel();
            }
        }
        IoUtils.safeClose(r.exchange.getConnection());
    }

    private void route(GatewayRequest r) {
        RouteRequest rr = new RouteRequest(r.requestId, r.model.name(), r.stream, r.principal, 0);
        java.util.List<Deployment> candidates = r.endpoint == Endpoint.EMBEDDINGS
                ? r.model.deployments().stream().filter(d -> d.embeddings() != null).toList()
                : r.model.deployments();
        if (candidates.isEmpty()) {
            fail(r, GatewayException.builder(ErrorType.CLIENT, 400, "model_not_supported")
                    .param("model").message("model '" + r.model.name() + "' does not support embeddings").build());
            return;
        }
        int index = candidates.size() == 1 ? 0 : routing.choose(rr, candidates);
        call(r, candidates.get(index));
    }

    private void call(GatewayRequest r, Deployment d) {
        r.deployment = d;
        d.started();
        Attempt attempt = new Attempt(r.requestId, r.thread, upstream, d.pluginLoader());
        r.attempt = attempt;
        try {
            switch (r.endpoint) {
                case CHAT_COMPLETIONS -> {
                    ChatRequest cr = new ChatRequest(r.requestId, r.model.name(), d.upstreamModel(), r.stream, r.includeUsage,
                            ApiFormat.OPENAI_CHAT, r.body);
                    if (r.stream) {
                        StreamResponder responder = new StreamResponder(r, this);
                        responder.armTtft();
                        d.adapter().streamChat(cr, attempt, responder);
                    } else {
                        whenDone(r, d.adapter().chat(cr, attempt));
                    }
                }
                case EMBEDDINGS -> {
                    EmbeddingsRequest er = new EmbeddingsRequest(r.requestId, r.model.name(), d.upstreamModel(), r.body);
                    whenDone(r, d.embeddings().embeddings(er, attempt));
                }
            }
        } catch (GatewayException e) {
            fail(r, e);
        } catch (RuntimeException bug) {
            fail(r, GatewayException.internal("the provider adapter for deployment " + d.id() + " failed", bug));
        }
    }

    private void whenDone(GatewayRequest r, CompletionStage<ProviderResult> stage) {
        if (stage == null) {
            fail(r, GatewayException.internal("the provider adapter for deployment " + r.deployment.id() + " returned no result", null));
            return;
        }
        stage.whenComplete((result, error) -> {
            if (Thread.currentThread() == r.thread) {
                respond(r, result, error);
            } else {
                r.thread.execute(() -> respond(r, result, error));
            }
        });
    }

    private void respond(GatewayRequest r, ProviderResult result, Throwable error) {
        if (r.attemptFinished) {
            return;
        }
        r.attemptFinished = true;
        if (error != null) {
            r.attempt.cancel();
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            fail(r, cause instanceof GatewayException g ? g
                    : GatewayException.internal("the provider adapter for deployment " + r.deployment.id() + " failed", cause));
            return;
        }
        r.attempt.finish();
        r.usage = result.usage();
        Responses.addHeaders(r.exchange, result.headers());
        Responses.addHeaders(r.exchange, r.responseHeaders);
        Responses.json(r.exchange, 200, result.body().asByteBuffer());
    }

    void fail(GatewayRequest r, GatewayException error) {
        r.errorCode = error.code();
        if (r.attempt != null) {
            r.attemptFinished = true;
            r.attempt.cancel();
        }
        Responses.addHeaders(r.exchange, r.responseHeaders);
        Responses.error(r.exchange, r.requestId, error);
    }

    /** Account, settle and log once the exchange is over, whichever way it ended. */
    private void ended(GatewayRequest r) {
        if (r.attempt != null && !r.attemptFinished) {
            r.attemptFinished = true;
            r.errorCode = r.errorCode == null ? "client_disconnected" : r.errorCode;
            r.attempt.cancel();
        }
        if (r.deployment != null) {
            r.deployment.ended();
        }
        long now = System.nanoTime();
        metrics.ended(r.exchange.getStatusCode(), r.usage, now - r.startNanos,
                r.firstChunkNanos < 0 ? -1 : r.firstChunkNanos - r.startNanos);
        if (!r.admitted.isEmpty()) {
            Outcome outcome = new Outcome(r.exchange.getStatusCode(), r.errorCode, r.usage,
                    r.deployment == null ? null : r.deployment.id(), Duration.ofNanos(now - r.startNanos));
            Headers clientHeaders = clientHeaders(r);
            blocking.execute(() -> policies.settle(r, clientHeaders, outcome));
        }
        if (log.isDebugEnabled()) {
            log.debug("request {} {} model={} deployment={} status={} error={} prompt={} completion={} micros={}",
                    r.requestId, r.endpoint.path(), r.model.name(), r.deployment == null ? "-" : r.deployment.id(),
                    r.exchange.getStatusCode(), r.errorCode, r.usage.promptTokens(), r.usage.completionTokens(),
                    (now - r.startNanos) / 1000);
        }
    }

    private static Headers clientHeaders(GatewayRequest r) {
        Headers.Builder b = Headers.builder();
        for (HeaderValues values : r.exchange.getRequestHeaders()) {
            for (String v : values) {
                try {
                    b.add(values.getHeaderName().toString(), v);
                } catch (IllegalArgumentException ignored) {
                    // a header our builder refuses cannot be one a policy relies on
                }
            }
        }
        return b.build();
    }
}
