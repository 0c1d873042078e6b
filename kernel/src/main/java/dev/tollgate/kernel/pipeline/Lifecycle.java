package dev.tollgate.kernel.pipeline;

import static java.util.Objects.requireNonNull;

import dev.tollgate.formats.openai.OpenAiEmbeddings;
import dev.tollgate.kernel.cache.AnswerAssembler;
import dev.tollgate.kernel.cache.CacheEntry;
import dev.tollgate.kernel.cache.ResponseCache;
import dev.tollgate.kernel.client.ChannelWriter;
import dev.tollgate.kernel.client.HangUpWatch;
import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.client.SseWriter;
import dev.tollgate.kernel.codec.ChatCodec;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.codec.RequestBody;
import dev.tollgate.kernel.logging.Secrets;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.AttemptInfo;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.routing.RouteRequest;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * One client request from its validated body to its settlement: the request's state machine.
 *
 * <p>It has three parts. The <em>client side</em>: the exchange, the codec of the client's API,
 * the one writer (JSON, SSE or a relayed body), whether anything was committed, the response
 * headers. The <em>attempt loop</em>: the attempts made, each with its deployment, outcome and
 * latencies; an attempt reports its first event or its failure and the loop decides to commit, to
 * try again (a later release fills in retries and fallbacks) or to fail. And the explicit
 * {@link Phase}, which only moves forward, and only on the request's I/O thread: every callback
 * from elsewhere (a policy's stage, an adapter on a wrong thread) is moved there first.
 *
 * <p>Settlement and logging happen at {@link Phase#DONE}: when the client side finished and no
 * attempt or policy hook still runs — never earlier, so a client that hangs up during admission
 * cannot settle policies that are still being admitted.
 */
public final class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
    static final String COST_HEADER = "x-tollgate-cost";
    private static final HttpString DEPLOYMENT_HEADER = new HttpString("x-tollgate-deployment");
    private static final HttpString ATTEMPTS_HEADER = new HttpString("x-tollgate-attempts");
    static final String CACHE_HEADER = "x-tollgate-cache";
    /** The principal the server's key guard established before the body was read; the policies start from it. */
    public static final io.undertow.util.AttachmentKey<Principal> AUTHENTICATED = io.undertow.util.AttachmentKey.create(Principal.class);
    /** Set on an exchange whose request has a lifecycle: the lifecycle records it, the server's refusal count does not. */
    public static final io.undertow.util.AttachmentKey<Boolean> STARTED = io.undertow.util.AttachmentKey.create(Boolean.class);
    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");
    private static final String JSON = "application/json";

    private final Pipeline p;
    private final HttpServerExchange exchange;
    private final XnioIoThread thread;
    private final String endpoint;
    private final ChatCodec codec;
    private final ErrorFormat errors;
    private final String requestId;
    private final long startNanos;
    private final Instant startedAt;
    private final RequestBody body;
    private final RequestFacts facts;
    private final Model model;
    private final boolean base64Embeddings;
    private volatile ChatRequest canonical;
    /** Why the body cannot be translated, when that was found at admission: only pass-through deployments can take it. */
    private GatewayException untranslatable;
    private final dev.tollgate.kernel.tracing.TraceContext trace;
    /** The gateway's span for this request, the parent of its attempts' spans; null when untraced. */
    private final String spanId;
    /** The answer's first bytes, when this request's bodies are logged; decided at the first write. */
    private dev.tollgate.kernel.records.BodyCapture responseBody;
    private boolean bodiesDecided;

    private Phase phase = Phase.ADMITTING;
    private boolean clientFinished;
    private boolean clientGone;
    private boolean committed;
    private long firstByteNanos = -1;
    private Headers responseHeaders = Headers.EMPTY;
    private SseWriter sse;
    /** Made on first use: a pass-through stream never renders a canonical event. */
    private ChatCodec.StreamRenderer renderer;
    private long streamCreatedEpochSeconds;
    private ChannelWriter relay;

    private Principal principal = Principal.ANONYMOUS;
    private final List<PolicyChain.Admitted> admitted = new ArrayList<>(0);
    private PolicyRequest policyRequest;
    private boolean hookRunning;
    private boolean admissionTimedOut;
    private dev.tollgate.kernel.time.Scheduler.Cancellable admissionTimer;

    private final List<Attempt> attempts = new ArrayList<>(1);
    private Attempt current;
    /** The model being routed: the request's, then a fallback; null before the first routing. */
    private Model serving;
    private List<Deployment> servingFit;
    private int fallbackIndex = -1;
    private final List<Tried> tried = new ArrayList<>(1);
    private GatewayException lastFailure;
    private FailureClass skipped;
    private dev.tollgate.kernel.time.Scheduler.Cancellable waitTimer;
    private String errorCode;
    private ErrorType errorType;
    private CacheStatus cacheStatus = CacheStatus.NONE;
    private boolean answeredByPolicy;
    private Usage policyUsage;
    /** The cost of the answering attempt, computed once: for the header, settlement and the log. */
    private Attempt pricedAttempt;
    private Cost pricedCost;
    /** What the response cache does for this request; null when no cache applies. */
    private ResponseCache.Plan cachePlan;
    /** The cached answer that served this request, and the tier it came from. */
    private CacheEntry cacheHit;
    private String cacheTier;
    /** The coalescing flight this request leads: ended with its answer, or with nothing at the end. */
    private ResponseCache.Flight cacheFlight;

    /**
     * @param codec            the client's chat API, or {@code null} for embeddings
     * @param base64Embeddings whether an embeddings client asked for base64 vectors
     */
    public Lifecycle(Pipeline pipeline, HttpServerExchange exchange, String endpoint, ChatCodec codec, ErrorFormat errors,
            String requestId, long startNanos, Instant startedAt, RequestBody body, RequestFacts facts, Model model,
            boolean base64Embeddings) {
        this.p = requireNonNull(pipeline, "pipeline is null");
        this.exchange = requireNonNull(exchange, "exchange is null");
        this.thread = exchange.getIoThread();
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.codec = codec;
        this.errors = requireNonNull(errors, "errors is null");
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.startNanos = startNanos;
        this.startedAt = requireNonNull(startedAt, "startedAt is null");
        this.body = requireNonNull(body, "body is null");
        this.facts = requireNonNull(facts, "facts is null");
        this.model = requireNonNull(model, "model is null");
        this.base64Embeddings = base64Embeddings;
        dev.tollgate.kernel.tracing.TraceContext incoming = dev.tollgate.kernel.tracing.TraceContext.parse(
                exchange.getRequestHeaders().getFirst("traceparent"), exchange.getRequestHeaders().getFirst("tracestate")).orElse(null);
        this.trace = incoming != null ? incoming : pipeline.startTraces ? dev.tollgate.kernel.tracing.TraceContext.start() : null;
        this.spanId = trace == null ? null : dev.tollgate.kernel.tracing.TraceContext.newSpanId();
    }

    String requestId() {
        return requestId;
    }

    /** The body's canonical parse, made at admission: every translating attempt (and policy) uses it, none parses again. */
    public void translated(ChatRequest request) {
        this.canonical = requireNonNull(request, "request is null");
    }

    /**
     * The body cannot be translated ({@code refusal} is the 400 naming the field): only deployments that
     * pass it through may serve it, and when none can, the client gets {@code refusal}.
     */
    public void untranslatable(GatewayException refusal) {
        this.untranslatable = requireNonNull(refusal, "refusal is null");
    }

    public Phase phase() {
        return phase;
    }

    /** Runs {@code task} on the request's I/O thread: at once when already there. */
    void onThread(Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
        } else {
            thread.execute(task);
        }
    }

    /** Starts the request on its I/O thread. */
    public void start() {
        p.metrics.started();
        exchange.putAttachment(STARTED, Boolean.TRUE);
        p.entered(this);
        exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                onExchangeComplete();
            } finally {
                next.proceed();
            }
        });
        HangUpWatch.watch(exchange, this::onClientGone);
        if (p.policies.isEmpty()) {
            cache();
            return;
        }
        hookRunning = true;
        policyRequest = PolicyRequest.of(requestId, endpoint, facts, clientHeaders(), body.bytes(), codec == null ? null : this::canonical);
        Principal authenticated = exchange.getAttachment(AUTHENTICATED);
        if (authenticated != null) {
            policyRequest = policyRequest.withPrincipal(authenticated);
        }
        admissionTimer = p.scheduler.timeout(thread, p.admissionTimeout.toNanos(), this::admissionTimedOut);
        p.policies.admit(this, this::onVerdict);
    }

    // ---- admission -------------------------------------------------------------------------

    PolicyRequest policyRequest() {
        return policyRequest;
    }

    List<PolicyChain.Admitted> admittedPolicies() {
        return List.copyOf(admitted);
    }

    /**
     * A policy admitted the request (called by the chain on this thread, before the next policy
     * runs). Returns whether admission goes on: not when it timed out (the late admission is
     * settled at once) nor when the client left meanwhile (this admission settles with the rest).
     */
    boolean admitted(PolicyChain.Admitted a) {
        if (admissionTimedOut) {
            p.policies.settleLate(this, a, outcome(now()));
            return false;
        }
        admitted.add(a);
        a.admission.principal().ifPresent(pr -> {
            principal = pr;
            policyRequest = policyRequest.withPrincipal(pr);
        });
        addResponseHeaders(a.admission.responseHeaders());
        return !clientGone;
    }

    private void onVerdict(PolicyChain.Verdict v) {
        if (admissionTimedOut) {
            return;
        }
        admissionTimer.cancel();
        hookRunning = false;
        if (clientGone) {
            maybeDone();
            return;
        }
        if (v.rejection() != null) {
            fail(v.rejection());
        } else if (v.answer() != null) {
            answerWith(v.answer().answer().orElseThrow());
        } else {
            cache();
        }
    }

    private void admissionTimedOut() {
        if (phase != Phase.ADMITTING || !hookRunning) {
            return;
        }
        admissionTimedOut = true;
        hookRunning = false;
        fail(PolicyChain.admissionTimeout(p.admissionTimeout.toMillis()));
    }

    // ---- cache and routing -----------------------------------------------------------------

    /**
     * Cache probe: decides whether the response cache applies (the model's settings, the
     * request's {@code Cache-Control} and TTL headers, whether the answer asked for can be
     * replayed), looks the key up tier by tier, and answers a hit at once. A miss goes on to
     * routing; with coalescing on, a miss whose key another request is already fetching waits for
     * that answer instead.
     */
    private void cache() {
        phase = Phase.CACHE;
        ResponseCache rc = p.cache;
        if (rc == null || codec == null) {
            route();
            return;
        }
        ResponseCache.Plan plan;
        try {
            plan = rc.plan(model.name(), facts.format(), principal, exchange.getRequestHeaders().getFirst("Cache-Control"),
                    exchange.getRequestHeaders().getFirst(ResponseCache.TTL_HEADER), body);
        } catch (GatewayException e) {
            fail(e);
            maybeDone();
            return;
        }
        cacheStatus = plan.status();
        if (plan.status() == CacheStatus.NONE) {
            route();
            return;
        }
        cachePlan = plan;
        if (!plan.lookup()) {
            log.debug("request {}: cache bypassed: {}", requestId, plan.reason());
            addCacheHeader();
            route();
            return;
        }
        hookRunning = true;
        rc.lookup(plan, thread, p.scheduler, this::onCacheLookup);
    }

    private void onCacheLookup(ResponseCache.Found found) {
        hookRunning = false;
        if (clientGone || phase != Phase.CACHE) {
            maybeDone();
            return;
        }
        if (found.entry() != null) {
            answerFromCache(found.entry(), found.tier());
            return;
        }
        cacheStatus = found.bypassed() ? CacheStatus.BYPASS : CacheStatus.MISS;
        if (cachePlan.store() && p.cache.coalescing()) {
            ResponseCache.Joined joined = p.cache.join(cachePlan.key());
            if (!joined.leader()) {
                hookRunning = true;
                p.cache.await(joined.flight(), thread, p.scheduler, this::onCoalesced);
                return;
            }
            cacheFlight = joined.flight();
        }
        addCacheHeader();
        route();
    }

    /** A concurrent identical request (the leader) ended: its answer, or null and this one calls the provider itself. */
    private void onCoalesced(CacheEntry entry) {
        hookRunning = false;
        if (clientGone || phase != Phase.CACHE) {
            maybeDone();
            return;
        }
        if (entry != null) {
            answerFromCache(entry, "coalesced");
            return;
        }
        addCacheHeader();
        route();
    }

    private void addCacheHeader() {
        addResponseHeaders(Headers.of(CACHE_HEADER, cacheStatus.name()));
    }

    /** A hit: the stored answer in the client's API, streamed if asked; no provider call, cost 0. */
    private void answerFromCache(CacheEntry entry, String tier) {
        cacheStatus = CacheStatus.HIT;
        cacheHit = entry;
        cacheTier = tier;
        addResponseHeaders(Headers.of(CACHE_HEADER, CacheStatus.HIT.name(), COST_HEADER, "0.000000"));
        writeAnswer(entry.response());
    }

    /** Whether this request's answer is to be stored when it completes well. */
    private boolean storing() {
        return cachePlan != null && cachePlan.store();
    }

    /**
     * A complete answer is about to reach the client: the cache stores it if it ended normally (the
     * store decides), and a coalescing flight this request leads hands it to its followers. Before
     * the answer's last bytes are written, so a client that repeats its request once it has the
     * answer finds it (in the local tier at least).
     */
    private void cacheStore(Attempt a, ChatResponse response) {
        if (!storing()) {
            return;
        }
        CacheEntry stored = null;
        if (response == null) {
            p.cache.unreadable();
        } else if (a.result == AttemptRecord.Result.SUCCEEDED && !clientGone) {
            Cost cost = costOf(a);
            stored = p.cache.store(cachePlan, response, cost.micros().isPresent() ? cost.micros().getAsLong() : -1, a.deployment.id());
        }
        endFlight(stored);
    }

    private void endFlight(CacheEntry entry) {
        if (cacheFlight != null) {
            p.cache.finish(cacheFlight, entry);
            cacheFlight = null;
        }
    }

    /** What this request did with one deployment: attempts made, when it may be retried, whether it is out. */
    private static final class Tried {
        final Deployment deployment;
        int attempts;
        boolean done;
        long readyAt;

        Tried(Deployment deployment) {
            this.deployment = deployment;
        }
    }

    private Tried tried(Deployment d) {
        for (Tried t : tried) {
            if (t.deployment == d) {
                return t;
            }
        }
        return null;
    }

    /**
     * Routes the next attempt: chooses a deployment and runs the policies' per-attempt hooks, waits
     * for a retry's backoff or a cooling deployment, moves to a fallback model, or fails.
     */
    private void route() {
        phase = Phase.ROUTING;
        waitTimer = null;
        if (clientGone) {
            maybeDone();
            return;
        }
        if (serving == null && !enterFirstModel()) {
            return;
        }
        while (true) {
            long now = now();
            List<Deployment> fresh = null;
            List<Deployment> again = null;
            long retryAt = Long.MAX_VALUE;
            long coolingAt = Long.MAX_VALUE;
            FailureClass coolingFor = null;
            for (Deployment d : servingFit) {
                Tried t = tried(d);
                if (t != null && t.done) {
                    continue;
                }
                Circuit c = d.circuit();
                boolean due = t == null || t.readyAt <= now;
                if (due && c.admits(now)) {
                    if (t == null) {
                        fresh = add(fresh, d);
                    } else {
                        again = add(again, d);
                    }
                } else if (c.health(now) == dev.tollgate.spi.routing.Health.HEALTHY) {
                    retryAt = Math.min(retryAt, t.readyAt);
                } else {
                    // open, or half-open with another request's probe out: look again a little later
                    long reopens = Math.max(c.reopensAt(), now + PROBE_POLL_NANOS);
                    long at = t == null ? reopens : Math.max(t.readyAt, reopens);
                    if (at < coolingAt) {
                        coolingAt = at;
                        coolingFor = c.openedBy();
                    }
                }
            }
            List<Deployment> choice = fresh != null ? fresh : again;
            if (choice != null) {
                Deployment d = choose(choice);
                if (!d.circuit().acquire(now)) {
                    continue; // another request took the half-open probe meanwhile
                }
                Tried t = tried(d);
                if (t == null) {
                    t = new Tried(d);
                    tried.add(t);
                }
                t.attempts++;
                beforeAttempt(d);
                return;
            }
            if (retryAt != Long.MAX_VALUE) {
                waitUntil(retryAt);
                return;
            }
            if (coolingAt != Long.MAX_VALUE) {
                FailureClass why = lastFailure != null ? FailureClass.of(lastFailure) : coolingFor;
                if (enterFallback(why, lastFailure)) {
                    continue;
                }
                if (coolingAt - startNanos <= serving.routing().cooldownWait().toNanos()) {
                    waitUntil(coolingAt);
                    return;
                }
                fail(lastFailure != null ? lastFailure : coolingDown(coolingAt - now));
                maybeDone();
                return;
            }
            if (lastFailure != null && enterFallback(FailureClass.of(lastFailure), lastFailure)) {
                continue;
            }
            fail(lastFailure != null ? lastFailure : GatewayException.internal("no deployment of model " + serving.name()
                    + " could be tried", null));
            maybeDone();
            return;
        }
    }

    private void cancelWait() {
        if (waitTimer != null) {
            waitTimer.cancel();
            waitTimer = null;
        }
    }

    /** How often a request waiting for a half-open deployment whose probe is out looks again. */
    private static final long PROBE_POLL_NANOS = Duration.ofMillis(100).toNanos();

    private static List<Deployment> add(List<Deployment> list, Deployment d) {
        List<Deployment> out = list == null ? new ArrayList<>(2) : list;
        out.add(d);
        return out;
    }

    private Deployment choose(List<Deployment> choice) {
        if (choice.size() == 1) {
            return choice.get(0);
        }
        int index;
        try {
            index = serving.routing().strategy().choose(RouteRequest.of(requestId, serving.name(), facts, principal, records()), choice);
        } catch (RuntimeException e) {
            // a strategy's bug must not fail the request: it still has deployments to go to
            if (p.metrics.strategyFailed(serving.name())) {
                log.warn("request {}: the routing strategy of model {} failed; the first candidate serves until it works again", requestId,
                        serving.name(), e);
            }
            index = 0;
        }
        return choice.get(Math.floorMod(index, choice.size()));
    }

    /** Waits for a retry's backoff or a cooling deployment, then routes again. */
    private void waitUntil(long atNanos) {
        long delay = Math.max(0, atNanos - now());
        waitTimer = p.scheduler.timeout(thread, delay, () -> {
            if (phase == Phase.ROUTING && waitTimer != null) {
                route();
            }
        });
    }

    /** The request's own model: fits, or its first fallback that fits; false when it failed (400). */
    private boolean enterFirstModel() {
        serving = model;
        servingFit = fitting(model);
        if (!servingFit.isEmpty()) {
            return true;
        }
        if (codec == null) {
            fail(GatewayException.builder(ErrorType.CLIENT, 400, "model_not_supported")
                    .param("model").message("model '" + model.name() + "' does not support embeddings").build());
            maybeDone();
            return false;
        }
        skipped = misfitOf(model);
        if (enterFallback(skipped, null)) {
            return true;
        }
        fail(untranslatable != null ? untranslatable : doesNotFit());
        maybeDone();
        return false;
    }

    /**
     * Moves to the next fallback of the request's model that takes {@code why} and has a deployment
     * that fits; returns false when there is none. Provider-trouble classes also need the failure
     * to allow another deployment; the request-shaped ones (context window, content policy, client
     * error) are the fallback's own decision.
     */
    private boolean enterFallback(FailureClass why, GatewayException failure) {
        if (why == null || why == FailureClass.OTHER) {
            return false;
        }
        if (failure != null && !failure.fallbackAllowed() && why.countsAgainstDeployment()) {
            return false;
        }
        List<ModelRouting.Fallback> chain = model.routing().fallbacks();
        for (int i = fallbackIndex + 1; i < chain.size(); i++) {
            ModelRouting.Fallback f = chain.get(i);
            if (!f.on().contains(why)) {
                continue;
            }
            List<Deployment> fit = fitting(f.model());
            fallbackIndex = i;
            if (!fit.isEmpty()) {
                serving = f.model();
                servingFit = fit;
                return true;
            }
        }
        return false;
    }

    /** The deployments of {@code m} this request can go to: the endpoint's ability, context window and capabilities. */
    private List<Deployment> fitting(Model m) {
        List<Deployment> all = m.deployments();
        List<Deployment> out = null;
        for (int i = 0; i < all.size(); i++) {
            Deployment d = all.get(i);
            if (misfit(d) != null) {
                if (out == null) {
                    out = new ArrayList<>(all.subList(0, i));
                }
            } else if (out != null) {
                out.add(d);
            }
        }
        return out == null ? all : out;
    }

    /** Why {@code d} cannot take this request, or null when it can. Unknown limits never exclude. */
    private FailureClass misfit(Deployment d) {
        if (codec == null) {
            return d.embeddings() == null ? FailureClass.CAPABILITY : null;
        }
        if (untranslatable != null && !d.speaks(facts.format())) {
            return FailureClass.CAPABILITY;
        }
        dev.tollgate.spi.catalog.ModelInfo info = d.modelInfo().orElse(null);
        if (info == null) {
            return null;
        }
        if (info.contextWindow().isPresent() && tokensNeeded() > info.contextWindow().getAsLong()) {
            return FailureClass.CONTEXT_WINDOW;
        }
        java.util.Set<dev.tollgate.spi.catalog.Capability> caps = info.capabilities();
        if (!caps.isEmpty() && ((facts.usesTools() && !caps.contains(dev.tollgate.spi.catalog.Capability.TOOLS))
                || (facts.usesImages() && !caps.contains(dev.tollgate.spi.catalog.Capability.VISION))
                || (facts.usesJsonSchema() && !caps.contains(dev.tollgate.spi.catalog.Capability.JSON_SCHEMA)))) {
            return FailureClass.CAPABILITY;
        }
        return null;
    }

    private long tokensNeeded() {
        return facts.promptTokenEstimate() + facts.maxTokens().orElse(0);
    }

    /** Context window when any deployment of {@code m} is too small, else capability. */
    private FailureClass misfitOf(Model m) {
        for (Deployment d : m.deployments()) {
            if (misfit(d) == FailureClass.CONTEXT_WINDOW) {
                return FailureClass.CONTEXT_WINDOW;
            }
        }
        return FailureClass.CAPABILITY;
    }

    /** 400 for a request no deployment of its model (nor of a fallback taking it) can serve, naming the limit. */
    private GatewayException doesNotFit() {
        List<Model> looked = new ArrayList<>();
        looked.add(model);
        for (ModelRouting.Fallback f : model.routing().fallbacks()) {
            if (f.on().contains(skipped)) {
                looked.add(f.model());
            }
        }
        String where = "model '" + model.name() + "'" + (looked.size() > 1 ? " and its fallbacks "
                + looked.subList(1, looked.size()).stream().map(Model::name).toList() : "");
        if (skipped == FailureClass.CONTEXT_WINDOW) {
            long largest = 0;
            for (Model m : looked) {
                for (Deployment d : m.deployments()) {
                    largest = Math.max(largest, d.modelInfo().flatMap(i -> {
                        java.util.OptionalLong w = i.contextWindow();
                        return w.isPresent() ? java.util.Optional.of(w.getAsLong()) : java.util.Optional.empty();
                    }).orElse(0L));
                }
            }
            return GatewayException.builder(ErrorType.CLIENT, 400, "context_length_exceeded").param("messages")
                    .reason(FailureReason.CONTEXT_WINDOW_EXCEEDED)
                    .message("the request needs about " + tokensNeeded() + " tokens (a prompt of about " + facts.promptTokenEstimate()
                            + " plus max_tokens " + facts.maxTokens().orElse(0) + ") but the largest context window of " + where
                            + " is " + largest + " tokens")
                    .build();
        }
        List<String> uses = new ArrayList<>();
        if (facts.usesTools()) {
            uses.add("tools");
        }
        if (facts.usesImages()) {
            uses.add("images");
        }
        if (facts.usesJsonSchema()) {
            uses.add("a JSON schema");
        }
        return GatewayException.builder(ErrorType.CLIENT, 400, "model_not_supported").param("model")
                .message("the request uses " + String.join(", ", uses) + ", which no deployment of " + where + " supports")
                .build();
    }

    /** 503 for a request whose deployments all cool down beyond its model's {@code cooldown_wait}. */
    private GatewayException coolingDown(long inNanos) {
        long seconds = Math.max(1, (inNanos + 999_999_999L) / 1_000_000_000L);
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "deployments_cooling_down")
                .retryAfter(Duration.ofSeconds(seconds))
                .message("every deployment of model '" + serving.name() + "' is cooling down after failures; the first is back in "
                        + seconds + " s, at " + p.clock.instant().plusNanos(inNanos).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .build();
    }

    private void beforeAttempt(Deployment d) {
        if (admitted.isEmpty()) {
            attempt(d);
            return;
        }
        hookRunning = true;
        AttemptInfo info = new AttemptInfo(attempts.size(), d.id(), d.provider(), d.model(), d.upstreamModel(),
                d.modelInfo().orElse(null));
        p.policies.beforeAttempt(this, info, rejected -> {
            hookRunning = false;
            if (clientGone) {
                d.circuit().released();
                maybeDone();
            } else if (rejected != null) {
                d.circuit().released();
                fail(rejected);
                maybeDone();
            } else {
                attempt(d);
            }
        });
    }

    // ---- the attempt loop ------------------------------------------------------------------

    private void attempt(Deployment d) {
        phase = Phase.ATTEMPTING;
        Attempt a = new Attempt(attempts.size(), d, requestId, thread, p.upstream, p.scheduler, now(), trace);
        attempts.add(a);
        current = a;
        d.started();
        Deployment.Timeouts t = d.timeouts();
        a.kernelTimer(t.total(), () -> attemptFailed(a, timeout("the provider did not complete the answer within "
                + t.total().toMillis() + " ms")));
        try {
            if (codec == null) {
                d.embeddings().embeddings(new EmbeddingsRequest(requestId, facts, d.upstreamModel(), d.id(), body.bytes()), a,
                        new AnswerResponder<EmbeddingsResponse>(a, this::renderEmbeddings, r -> r.usage().orElse(null)));
                return;
            }
            ProviderRequest request = providerRequest(d);
            if (facts.stream()) {
                a.kernelTimer(t.firstEvent(), () -> {
                    if (a.firstEventNanos < 0) {
                        attemptFailed(a, timeout("the provider sent no first event within " + t.firstEvent().toMillis() + " ms"));
                    }
                });
                d.adapter().streamChat(request, a, new StreamResponder(a));
            } else {
                d.adapter().chat(request, a, new AnswerResponder<ChatResponse>(a, r -> codec.response(r, facts),
                        r -> r.usage().orElse(null)));
            }
        } catch (GatewayException e) {
            attemptFailed(a, e);
        } catch (Throwable bug) {
            attemptFailed(a, GatewayException.internal("the provider adapter for deployment " + d.id() + " failed", bug));
        }
    }

    private ProviderRequest providerRequest(Deployment d) {
        ProviderRequest.Builder b = ProviderRequest.builder(requestId, facts, this::canonical)
                .deployment(d.id(), d.upstreamModel())
                .modelInfo(d.modelInfo().orElse(null));
        if (d.speaks(facts.format())) {
            b.nativeBody(body.bytes()).clientHeaders(forwardableHeaders());
        }
        return b.build();
    }

    /**
     * The client's chat in the canonical model, parsed once (a policy may ask from another thread): at
     * admission when the codec does so, else at the first translating attempt or policy that asks.
     */
    private ChatRequest canonical() {
        ChatRequest c = canonical;
        if (c == null) {
            if (untranslatable != null) {
                throw untranslatable;
            }
            synchronized (this) {
                c = canonical;
                if (c == null) {
                    c = codec.canonical(body);
                    canonical = c;
                }
            }
        }
        return c;
    }

    /** Whether callbacks of {@code a} still count: it is the current attempt and has not ended. */
    private boolean live(Attempt a) {
        return a == current && !a.isEnded();
    }

    private void succeeded(Attempt a, Usage usage) {
        if (usage != null) {
            a.usage = usage;
        }
        a.end(AttemptRecord.Result.SUCCEEDED, null, now());
        phase = Phase.DRAINING;
        maybeDone();
    }

    /**
     * The attempt failed before anything reached the client: its deployment's circuit learns of it,
     * and the loop decides whether to retry it (after its backoff), try another deployment or model,
     * or fail the request.
     */
    private void attemptFailed(Attempt a, GatewayException error) {
        if (!live(a)) {
            return;
        }
        if (committed) {
            failCommitted(a, error);
            return;
        }
        long now = now();
        a.end(AttemptRecord.Result.FAILED, error.code(), now);
        a.cancel();
        Deployment d = a.deployment;
        d.failed(error, now);
        lastFailure = error;
        Tried t = tried(d);
        long backoff = error.retryable() && t.attempts < d.retry().maxAttempts() ? backoffNanos(d.retry(), t.attempts, error) : -1;
        if (backoff >= 0) {
            t.readyAt = now + backoff;
        } else {
            t.done = true;
        }
        if (!error.fallbackAllowed()) {
            // another deployment of this model would fail alike: only this one's retries remain
            for (Deployment other : servingFit) {
                if (other != d) {
                    Tried o = tried(other);
                    if (o == null) {
                        o = new Tried(other);
                        tried.add(o);
                    }
                    o.done = true;
                }
            }
        }
        if (clientGone) {
            maybeDone();
            return;
        }
        route();
    }

    /**
     * The wait before the next attempt on a deployment that failed {@code failures} times: its
     * {@code Retry-After} when it sent one (-1, no retry here, beyond {@code max_retry_after}), else
     * {@code backoff × 2^(failures-1)} up to {@code max_backoff}, of which a random half is waited
     * ("equal jitter": retries of many requests spread out, yet none comes back at once).
     */
    static long backoffNanos(dev.tollgate.kernel.config.RetrySettings r, int failures, GatewayException error) {
        if (error.retryAfter().isPresent()) {
            Duration after = error.retryAfter().get();
            return after.compareTo(r.maxRetryAfter()) > 0 ? -1 : Math.max(0, after.toNanos());
        }
        long base = r.backoff().toNanos();
        for (int i = 1; i < failures && base < r.maxBackoff().toNanos(); i++) {
            base *= 2;
        }
        base = Math.min(base, r.maxBackoff().toNanos());
        long half = base / 2;
        return half + (half == 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** The attempt failed after its answer started: end the answer with a protocol-correct error. */
    private void failCommitted(Attempt a, GatewayException error) {
        a.end(AttemptRecord.Result.FAILED, error.code(), now());
        a.cancel();
        a.deployment.failed(error, now());
        errorCode = error.code();
        errorType = error.type();
        Responses.logStreamFailure(requestId, error);
        phase = Phase.DRAINING;
        if (sse != null) {
            endStreamWithError(error);
        } else if (relay != null) {
            relay.abort();
        }
        maybeDone();
    }

    /**
     * The error event ends the stream, without the API's normal terminator: a client that does not
     * look at error objects then sees a stream that did not finish, never a normal end.
     */
    private void endStreamWithError(GatewayException error) {
        if (codec == null || !renderer().fail(error, sse::event)) {
            sse.event(errors.streamEventName(), errors.body(error));
        }
        sse.finish();
    }

    private void onEvent(Attempt a) {
        long now = now();
        if (a.firstEventNanos < 0) {
            a.firstEventNanos = now;
            armIdle(a, a.deployment.timeouts().streamIdle().toNanos());
        }
        a.lastEventNanos = now;
    }

    /** One timer per idle period, re-armed for the remainder when events came meanwhile (no timer per event). */
    private void armIdle(Attempt a, long delayNanos) {
        long idle = a.deployment.timeouts().streamIdle().toNanos();
        a.kernelTimer(Duration.ofNanos(delayNanos), () -> {
            long since = now() - a.lastEventNanos;
            if (since >= idle) {
                attemptFailed(a, timeout("the provider sent no event for " + (idle / 1_000_000) + " ms"));
            } else {
                armIdle(a, idle - since);
            }
        });
    }

    private static GatewayException timeout(String message) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout")
                .reason(FailureReason.TIMEOUT).message(message).build();
    }

    // ---- the client side -------------------------------------------------------------------

    /** {@code x-tollgate-deployment} (the last deployment tried: the one answering) and {@code x-tollgate-attempts}. */
    private void addRoutingHeaders() {
        if (attempts.isEmpty()) {
            return;
        }
        exchange.getResponseHeaders().put(DEPLOYMENT_HEADER, attempts.get(attempts.size() - 1).deployment.id());
        exchange.getResponseHeaders().put(ATTEMPTS_HEADER, attempts.size());
    }

    private void addResponseHeaders(Headers more) {
        if (more.size() == 0) {
            return;
        }
        Headers.Builder b = responseHeaders.toBuilder();
        for (int i = 0; i < more.size(); i++) {
            b.add(more.name(i), more.value(i));
        }
        responseHeaders = b.build();
    }

    /** Answers with an error before anything was committed, in the client's API shape. */
    private void fail(GatewayException error) {
        errorCode = error.code();
        errorType = error.type();
        phase = Phase.DRAINING;
        if (committed || clientFinished) {
            return;
        }
        committed = true;
        if (bodyTap() != null) {
            responseBody.append(errors.body(error));
        }
        addRoutingHeaders();
        Responses.addHeaders(exchange, responseHeaders);
        Responses.error(exchange, requestId, errors, error);
    }

    private void writeWhole(byte[] json, Headers providerHeaders) {
        if (clientFinished) {
            return;
        }
        if (bodyTap() != null) {
            responseBody.append(json);
        }
        committed = true;
        firstByteNanos = now();
        Responses.addHeaders(exchange, providerHeaders);
        addRoutingHeaders();
        Responses.addHeaders(exchange, responseHeaders);
        Responses.json(exchange, 200, ByteBuffer.wrap(json));
    }

    private void writeWhole(Bytes json, Headers providerHeaders) {
        if (clientFinished) {
            return;
        }
        if (bodyTap() != null) {
            responseBody.append(json);
        }
        committed = true;
        firstByteNanos = now();
        Responses.addHeaders(exchange, providerHeaders);
        addRoutingHeaders();
        Responses.addHeaders(exchange, responseHeaders);
        Responses.json(exchange, 200, json);
    }

    private void commitStream(Headers providerHeaders) {
        committed = true;
        firstByteNanos = now();
        phase = Phase.STREAMING;
        Responses.addHeaders(exchange, providerHeaders);
        addRoutingHeaders();
        Responses.addHeaders(exchange, responseHeaders);
        sse = new SseWriter(exchange, new ClientListener());
        if (bodyTap() != null) {
            sse.tap(responseBody::append);
        }
        sse.start();
        streamCreatedEpochSeconds = p.clock.instant().getEpochSecond();
    }

    private ChatCodec.StreamRenderer renderer() {
        if (renderer == null) {
            renderer = codec.streamRenderer(facts, requestId, streamCreatedEpochSeconds);
        }
        return renderer;
    }

    /** A policy answered the request itself: the answer goes out in the client's API, streamed if asked. */
    private void answerWith(ChatResponse response) {
        answeredByPolicy = true;
        policyUsage = response.usage().orElse(null);
        writeAnswer(response);
    }

    /** A complete canonical answer the gateway writes itself (a policy's, a cached one), in the client's API. */
    private void writeAnswer(ChatResponse response) {
        phase = Phase.DRAINING;
        if (codec == null) {
            fail(GatewayException.internal("a request policy answered an embeddings request", null));
            return;
        }
        if (!facts.stream()) {
            writeWhole(codec.response(response, facts), Headers.EMPTY);
            return;
        }
        commitStream(Headers.EMPTY);
        phase = Phase.DRAINING;
        for (StreamEvent e : ResponseEvents.of(response)) {
            renderer().render(e, sse::event);
        }
        byte[] end = codec.terminator();
        if (end != null) {
            sse.event(null, end);
        }
        sse.finish();
    }

    private byte[] renderEmbeddings(EmbeddingsResponse r) {
        List<float[]> vectors = new ArrayList<>(r.size());
        for (int i = 0; i < r.size(); i++) {
            vectors.add(r.vector(i));
        }
        return OpenAiEmbeddings.write(vectors, facts.model(), base64Embeddings, r.usage().orElse(null));
    }

    private final class ClientListener implements ChannelWriter.Listener {
        @Override
        public void onBackPressure(boolean congested) {
            if (current == null) {
                return;
            }
            if (congested) {
                current.pauseUpstream();
            } else {
                current.resumeUpstream();
            }
        }

        @Override
        public void onClientGone() {
            Lifecycle.this.onClientGone();
        }
    }

    /** The client hung up before its answer was complete: stop the provider call, which keeps its partial usage. */
    private void onClientGone() {
        if (clientGone || phase == Phase.DONE) {
            return;
        }
        clientGone = true;
        Attempt a = current;
        if (a != null && !a.isEnded() && !drains()) {
            a.end(AttemptRecord.Result.CANCELLED, "client_disconnected", now());
            a.cancel();
        }
        boolean answered = committed && (a == null || a.result == AttemptRecord.Result.SUCCEEDED);
        if (!answered && errorCode == null) {
            errorCode = "client_disconnected";
        }
        IoUtils.safeClose(exchange.getConnection());
    }

    /** The exchange is over: the answer was written, or the connection closed (the client left before it). */
    private void onExchangeComplete() {
        clientFinished = true;
        Attempt a = current;
        boolean answered = committed && (a == null || a.isEnded());
        if (!answered && phase != Phase.DONE) {
            clientGone = true;
            if (a != null && !a.isEnded() && !drains()) {
                a.end(AttemptRecord.Result.CANCELLED, "client_disconnected", now());
                a.cancel();
            }
            if (errorCode == null) {
                errorCode = "client_disconnected";
            }
        }
        maybeDone();
    }

    /**
     * Whether the attempt in progress is read to its end although the client left
     * ({@code on_disconnect: drain}), so that its usage, and so its cost, is exact. Only an answer
     * already streaming or a buffered one is drained; a stream that has not started is cancelled,
     * as nothing would read it. The attempt's own time limits still end it.
     */
    private boolean drains() {
        return model.routing().onDisconnect() == dev.tollgate.kernel.config.RoutingSettings.Disconnect.DRAIN
                && (committed || !facts.stream());
    }

    /** The gateway stops before this request ended (see {@link Pipeline#shutDownLive()}). */
    void shutDown() {
        if (phase == Phase.DONE) {
            return;
        }
        GatewayException stopping = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "shutting_down")
                .message("the gateway is shutting down; retry on another instance").build();
        Attempt a = current;
        if (a != null && !a.isEnded()) {
            a.end(AttemptRecord.Result.CANCELLED, "shutting_down", now());
            a.cancel();
        }
        cancelWait();
        errorCode = errorCode == null ? "shutting_down" : errorCode;
        exchange.setPersistent(false);
        if (sse != null && !sse.isEnded()) {
            Responses.logStreamFailure(requestId, stopping);
            endStreamWithError(stopping);
        } else if (relay != null && !relay.isEnded()) {
            relay.abort();
        } else if (!committed) {
            fail(stopping);
        }
        hookRunning = false;
    }

    // ---- the end ---------------------------------------------------------------------------

    private void maybeDone() {
        if (phase == Phase.DONE || !clientFinished || hookRunning) {
            return;
        }
        if (current != null && !current.isEnded()) {
            return;
        }
        done();
    }

    private void done() {
        phase = Phase.DONE;
        cancelWait();
        endFlight(null);
        if (p.cache != null) {
            p.cache.counted(model.name(), cacheStatus);
        }
        p.left(this);
        long now = now();
        Outcome outcome = outcome(now);
        p.metrics.ended();
        if (!admitted.isEmpty()) {
            p.policies.settle(this, outcome);
        }
        p.finished(record(outcome));
        if (log.isDebugEnabled()) {
            log.debug("request {} {} model={} deployment={} status={} error={} usage={} {} micros={}", requestId, endpoint,
                    model.name(), outcome.deploymentId().orElse("-"), outcome.status(), errorCode, outcome.usage().orElse(null),
                    outcome.cost(), (now - startNanos) / 1000);
        }
    }

    /** The capture of the answer, when this request's model or key has its bodies logged; else null. */
    private dev.tollgate.kernel.records.BodyCapture bodyTap() {
        if (!bodiesDecided) {
            bodiesDecided = true;
            if (p.bodies.any() && p.bodies.enabledFor(model.name(), principal.keyId().orElse(null))) {
                responseBody = new dev.tollgate.kernel.records.BodyCapture(p.bodies.maxBytes());
            }
        }
        return responseBody;
    }

    /** The request's one log record: the outcome, who asked, and what the upstream took. */
    private dev.tollgate.spi.sink.RequestRecord record(Outcome o) {
        long upstreamNanos = 0;
        String provider = null;
        String providerModel = null;
        for (Attempt a : attempts) {
            upstreamNanos += a.record().latency().toNanos();
        }
        if (o.deploymentId().isPresent()) {
            for (int i = attempts.size() - 1; i >= 0; i--) {
                Deployment d = attempts.get(i).deployment;
                if (d.id().equals(o.deploymentId().get())) {
                    provider = d.provider();
                    providerModel = d.upstreamModel();
                    break;
                }
            }
        }
        dev.tollgate.spi.sink.RequestRecord.Builder b = dev.tollgate.spi.sink.RequestRecord.builder(requestId, startedAt, endpoint)
                .model(model.name())
                .deployment(o.deploymentId().orElse(null), provider)
                .providerModel(providerModel)
                .status(o.status())
                .errorCode(o.errorCode().orElse(null))
                .errorType(errorType == null || o.status() < 400 ? null : errorType.name().toLowerCase(Locale.ROOT))
                .stream(o.stream())
                .usage(o.usage().orElse(null))
                .cost(o.cost())
                .cacheStatus(o.cacheStatus())
                .latencyMicros(o.latency().toNanos() / 1000)
                .timeToFirstTokenMicros(o.timeToFirstToken().map(d -> d.toNanos() / 1000).orElse(-1L))
                .upstreamLatencyMicros(upstreamNanos / 1000)
                .key(principal.keyId().orElse(null), principal.keyName().orElse(null))
                .teamId(principal.teamId().orElse(null))
                .endUser(facts.user().orElse(null))
                .attempts(o.attempts())
                .clientDisconnected(o.clientDisconnected())
                .traceId(trace == null ? null : trace.traceId());
        if (bodyTap() != null) {
            b.bodies(p.redactor.redact(dev.tollgate.kernel.records.BodyCapture.text(body.bytes(), p.bodies.maxBytes())),
                    p.redactor.redact(responseBody.text()));
        }
        if (trace != null) {
            List<String> spans = new ArrayList<>(attempts.size());
            for (Attempt a : attempts) {
                spans.add(a.spanId);
            }
            b.span(spanId, trace.parentId(), spans);
        }
        java.util.Map<String, String> metadata = facts.metadata();
        if (cacheHit != null) {
            metadata = new java.util.LinkedHashMap<>(metadata);
            metadata.putAll(cacheHitMetadata());
        }
        if (!metadata.isEmpty()) {
            b.metadata(metadata);
        }
        return b.build();
    }

    /**
     * What a hit saved, in the record's metadata: the cost of the call that made the answer (micro-dollars,
     * {@code unknown} when it was not priced), its tokens, and the tier that had it.
     */
    private java.util.Map<String, String> cacheHitMetadata() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("tollgate.cache_tier", cacheTier);
        m.put("tollgate.cache_saved_cost_micros", cacheHit.costMicros() >= 0 ? Long.toString(cacheHit.costMicros()) : "unknown");
        cacheHit.response().usage().ifPresent(u -> {
            m.put("tollgate.cache_saved_input_tokens", Long.toString(u.inputTokens()));
            m.put("tollgate.cache_saved_output_tokens", Long.toString(u.outputTokens()));
        });
        return m;
    }

    private Outcome outcome(long now) {
        Attempt answering = null;
        for (int i = attempts.size() - 1; i >= 0; i--) {
            if (attempts.get(i).result == AttemptRecord.Result.SUCCEEDED || attempts.get(i).usage != null) {
                answering = attempts.get(i);
                break;
            }
        }
        Usage usage = answering == null ? policyUsage : answering.usage;
        Cost cost;
        if (answeredByPolicy) {
            cost = Cost.ofMicros(0);
        } else if (answering == null || usage == null) {
            cost = attempts.isEmpty() ? Cost.ofMicros(0) : Cost.unknown();
        } else {
            cost = costOf(answering);
        }
        return Outcome.builder(exchange.getStatusCode(), Duration.ofNanos(now - startNanos))
                .errorCode(errorCode)
                .usage(usage)
                .cost(cost)
                .cacheStatus(cacheStatus)
                .attempts(records())
                .deploymentId(answering == null ? null : answering.deployment.id())
                .upstreamResponseId(answering == null ? null : answering.responseId)
                .model(answering == null ? null : answering.deployment.model())
                .timeToFirstToken(firstByteNanos < 0 ? null : Duration.ofNanos(firstByteNanos - startNanos))
                .clientDisconnected(clientGone)
                .stream(facts.stream())
                .build();
    }

    /**
     * The cost of an attempt's usage at its deployment's prices, computed once per request; a
     * deployment without prices is counted (and warned about once) and costs {@link Cost#unknown()}.
     */
    private Cost costOf(Attempt a) {
        if (pricedAttempt == a) {
            return pricedCost;
        }
        Cost cost;
        if (a.usage == null) {
            cost = Cost.unknown();
        } else {
            cost = a.deployment.modelInfo().flatMap(i -> i.prices()).map(pr -> Cost.ofMicros(pr.costMicros(a.usage))).orElse(null);
            if (cost == null) {
                cost = Cost.unknown();
                if (p.metrics.unpriced(a.deployment.id())) {
                    log.warn("request {}: deployment {} (model {}) has no prices in the model catalog: its requests are served and their "
                            + "cost recorded as unknown; add the model to models.yaml or give the deployment model_info", requestId,
                            a.deployment.id(), a.deployment.model());
                }
            }
        }
        pricedAttempt = a;
        pricedCost = cost;
        return cost;
    }

    /** {@code x-tollgate-cost}: the answer's cost in US dollars, or {@code unknown}. */
    private void addCostHeader(Attempt a) {
        Cost cost = costOf(a);
        addResponseHeaders(Headers.of(COST_HEADER, cost.micros().isPresent()
                ? java.math.BigDecimal.valueOf(cost.micros().getAsLong(), 6).toPlainString() : "unknown"));
    }

    private List<AttemptRecord> records() {
        List<AttemptRecord> out = new ArrayList<>(attempts.size());
        for (Attempt a : attempts) {
            out.add(a.record());
        }
        return out;
    }

    private long now() {
        return p.ticker.nanoTime();
    }

    private Headers clientHeaders() {
        Headers.Builder b = Headers.builder();
        for (HeaderValues values : exchange.getRequestHeaders()) {
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

    /** The client's headers a same-API provider may need: its {@code anthropic-*} and {@code openai-*} ones. */
    private Headers forwardableHeaders() {
        Headers.Builder b = null;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String raw = values.getHeaderName().toString();
            // most headers match neither prefix: test them without building a lower-case copy
            if (!raw.regionMatches(true, 0, "anthropic-", 0, 10) && !raw.regionMatches(true, 0, "openai-", 0, 7)) {
                continue;
            }
            String name = raw.toLowerCase(Locale.ROOT);
            if (!name.contains("key")) {
                if (b == null) {
                    b = Headers.builder();
                }
                for (String v : values) {
                    try {
                        b.add(name, v);
                    } catch (IllegalArgumentException ignored) {
                        // not forwardable
                    }
                }
            }
        }
        return b == null ? Headers.EMPTY : b.build();
    }

    // ---- sinks given to adapters -----------------------------------------------------------

    /** The non-streamed answer of one attempt: a chat completion or embeddings. */
    private final class AnswerResponder<T> implements ResponseSink<T> {
        private final Attempt a;
        private final Function<T, byte[]> render;
        private final Function<T, Usage> usageOf;

        AnswerResponder(Attempt a, Function<T, byte[]> render, Function<T, Usage> usageOf) {
            this.a = a;
            this.render = render;
            this.usageOf = usageOf;
        }

        private boolean elsewhere(Runnable again) {
            if (Thread.currentThread() != thread) {
                thread.execute(again);
                return true;
            }
            return false;
        }

        @Override
        public void respond(T response, Headers headers) {
            if (elsewhere(() -> respond(response, headers)) || !live(a)) {
                return;
            }
            byte[] json;
            try {
                json = render.apply(response);
            } catch (RuntimeException e) {
                attemptFailed(a, e instanceof GatewayException g ? g
                        : GatewayException.internal("the answer of deployment " + a.deployment.id() + " could not be rendered", e));
                return;
            }
            a.firstEventNanos = now();
            succeeded(a, usageOf.apply(response));
            a.finish();
            addCostHeader(a);
            if (response instanceof ChatResponse chat) {
                cacheStore(a, chat);
            }
            writeWhole(json, headers);
        }

        @Override
        public void respondNative(Bytes nativeBody, Observation observed, Headers headers) {
            if (elsewhere(() -> respondNative(nativeBody, observed, headers)) || !live(a)) {
                return;
            }
            a.firstEventNanos = now();
            a.responseId = observed.responseId().orElse(null);
            succeeded(a, observed.observedUsage().orElse(null));
            a.finish();
            addCostHeader(a);
            if (storing() && codec != null && !AnswerAssembler.readsNative(facts.format())) {
                endFlight(null);
            } else if (storing() && codec != null) {
                ChatResponse parsed = AnswerAssembler.parseNative(facts.format(), nativeBody);
                cacheStore(a, parsed == null || parsed.usage().isPresent() || a.usage == null ? parsed
                        : parsed.toBuilder().usage(a.usage).build());
            }
            writeWhole(nativeBody, headers);
        }

        @Override
        public NativeBody startNative(Headers headers, long contentLength) {
            if (Thread.currentThread() != thread || !live(a)) {
                if (live(a)) {
                    attemptFailed(a, GatewayException.internal("startNative called off the request's thread", null));
                }
                return Relay.IGNORED;
            }
            committed = true;
            a.firstEventNanos = now();
            firstByteNanos = a.firstEventNanos;
            phase = Phase.STREAMING;
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(CONTENT_TYPE, JSON);
            if (contentLength >= 0) {
                exchange.setResponseContentLength(contentLength);
            }
            Responses.addHeaders(exchange, headers);
            addRoutingHeaders();
            Responses.addHeaders(exchange, responseHeaders);
            relay = new ChannelWriter(exchange, new ClientListener());
            if (bodyTap() != null) {
                relay.tap(responseBody::append);
            }
            relay.start();
            return new Relay(a);
        }

        @Override
        public void fail(GatewayException error) {
            if (elsewhere(() -> fail(error))) {
                return;
            }
            attemptFailed(a, error);
        }
    }

    /** A pass-through body being relayed to the client as it arrives. */
    private final class Relay implements ResponseSink.NativeBody {
        static final ResponseSink.NativeBody IGNORED = new ResponseSink.NativeBody() {
            @Override
            public void write(ByteBuffer chunk) {}

            @Override
            public void end(Observation observed) {}

            @Override
            public void fail(GatewayException error) {}
        };

        private final Attempt a;

        Relay(Attempt a) {
            this.a = a;
        }

        @Override
        public void write(ByteBuffer chunk) {
            if (!live(a)) {
                return;
            }
            a.lastEventNanos = now();
            if (Secrets.any()) {
                byte[] copy = new byte[chunk.remaining()];
                chunk.get(copy);
                Secrets.maskInPlace(copy, 0, copy.length);
                relay.write(ByteBuffer.wrap(copy));
            } else {
                relay.writeBorrowed(chunk);
            }
        }

        @Override
        public void end(Observation observed) {
            if (!live(a)) {
                return;
            }
            observed.responseId().ifPresent(id -> a.responseId = id);
            succeeded(a, observed.observedUsage().orElse(null));
            a.finish();
            relay.finish();
        }

        @Override
        public void fail(GatewayException error) {
            if (live(a)) {
                failCommitted(a, error);
            }
        }
    }

    /** The streamed answer of one attempt. */
    private final class StreamResponder implements StreamSink {
        private final Attempt a;
        private Headers providerHeaders = Headers.EMPTY;
        /** The answer being collected for the cache; null when it is not to be stored. */
        private AnswerAssembler forCache;

        StreamResponder(Attempt a) {
            this.a = a;
            this.forCache = storing() ? new AnswerAssembler(facts.format(), p.cache.maxEntryBytes()) : null;
        }

        private boolean elsewhere(Runnable again) {
            if (Thread.currentThread() != thread) {
                thread.execute(again);
                return true;
            }
            return false;
        }

        @Override
        public void headers(Headers headers) {
            if (elsewhere(() -> headers(headers)) || !live(a) || committed) {
                return;
            }
            providerHeaders = headers;
        }

        @Override
        public void event(StreamEvent event) {
            if (elsewhere(() -> event(event)) || !live(a)) {
                return;
            }
            onEvent(a);
            if (!committed) {
                commitStream(providerHeaders);
            }
            if (event instanceof StreamEvent.MessageEnd end && end.usage() != null) {
                a.usage = end.usage();
            } else if (event instanceof StreamEvent.MessageStart start && start.usage() != null && a.usage == null) {
                a.usage = start.usage();
            }
            renderer().render(event, sse::event);
            if (forCache != null) {
                forCache.event(event);
            }
        }

        @Override
        public void nativeEvent(String name, Bytes data) {
            if (elsewhere(() -> nativeEvent(name, data)) || !live(a)) {
                return;
            }
            onEvent(a);
            if (!committed) {
                commitStream(providerHeaders);
            }
            sse.event(name, data);
            if (forCache != null && !AnswerAssembler.readsNative(facts.format())) {
                forCache = null;
                endFlight(null);
            } else if (forCache != null) {
                forCache.nativeEvent(data);
            }
        }

        @Override
        public void observe(Observation observation) {
            if (elsewhere(() -> observe(observation)) || !live(a)) {
                return;
            }
            observation.observedUsage().ifPresent(u -> a.usage = u);
            observation.responseId().ifPresent(id -> a.responseId = id);
        }

        @Override
        public void complete() {
            if (elsewhere(this::complete) || !live(a)) {
                return;
            }
            if (!committed) {
                commitStream(providerHeaders);
            }
            byte[] end = codec.terminator();
            if (end != null) {
                sse.event(null, end);
            }
            succeeded(a, null);
            a.finish();
            if (forCache != null) {
                cacheStore(a, forCache.finish(a.usage));
            }
            sse.finish();
        }

        @Override
        public void fail(GatewayException error) {
            if (elsewhere(() -> fail(error))) {
                return;
            }
            attemptFailed(a, error);
        }
    }
}
