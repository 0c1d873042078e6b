package dev.tollgate.kernel.governance.limits;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.store.Budget;
import dev.tollgate.kernel.governance.AsyncSpendRecorder;
import dev.tollgate.kernel.governance.GovernanceDirectory;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.AttemptInfo;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyPhase;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.ReservationResult;
import dev.tollgate.spi.state.StateBackend;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in rate limits and budgets, a {@link PolicyPhase#GOVERN} policy that runs after the
 * authentication policy. Its levels are the caller's key, each team of the key's path up to the
 * organisation, and the requested model; every level must pass, and a refusal names the level that
 * refused. An anonymous principal meets only the model's limits.
 *
 * <h2>Admission</h2>
 * One atomic {@link StateBackend#reserve} holds, for every limit set at every level: 1 request
 * on the level's counter of the current minute (rpm), the request's token estimate on its tokens
 * counter of the minute (tpm, held at most at the limit, so that a request larger than a whole
 * minute's allowance still runs alone in an empty minute), 1 on its in-flight counter
 * (max_parallel), and the worst-case cost in micro-dollars on its budget counter of the current
 * calendar period (budget). Minutes are counted by the wall clock; budget periods are
 * calendar-aligned in the configured zone. A limit of 0 refuses every request at its level.
 *
 * <h2>Settlement</h2>
 * Exactly once per admission: rpm stays 1, tpm becomes the usage's total tokens (the estimate when
 * the provider reported none), max_parallel 0, the budget the request's cost. A request with no
 * usage that failed before any provider sent a first event, or that called no provider, commits no
 * tokens and no cost. A cost the kernel could not compute (usage without a price, or no usage from
 * an answer that had started, such as a stream the client left before its usage came) keeps the
 * worst-case hold and is counted in {@link #unknownCostSettlements()}. Every settled request is then recorded in the spend ledger on
 * the ledger executor; the settle stage completes when the record is durable, and a failed record
 * is logged and counted ({@link #ledgerFailures()}), never thrown into the request.
 *
 * <h2>Outages of the state backend</h2>
 * When the reservation fails (the backend is unreachable or does not answer in time), the
 * request is refused with 503 {@code governance_unavailable} if any concern it is governed by is
 * closed in {@link Options#onStateOutage}; otherwise it is admitted without holds, marked with
 * the response header {@code x-tollgate-governance: degraded} and counted
 * ({@link #degradedAdmissions()}, {@code tollgate_governance_degraded_total}). Its settlement
 * touches no counter, its spend still goes to the ledger. A settlement the backend fails is
 * counted ({@link #stateSettleFailures()}) and never fails the request. Either is logged at most
 * once per {@link #OUTAGE_WARNING_INTERVAL}. Nothing remembers the failure: the next request
 * tries the backend again, so governance comes back as soon as the backend does.
 *
 * <p>Every hook runs on the request's I/O thread and never blocks: the state backend answers with
 * stages, the ledger writes run on the given executor.
 */
public final class GovernancePolicy implements RequestPolicy {

    /** Its name in the policy chain. */
    public static final String NAME = "tollgate-limits";

    private static final Logger log = LoggerFactory.getLogger(GovernancePolicy.class);
    private static final Duration MINUTE = Duration.ofMinutes(1);
    /** Counters live this much past the end of the minute or period their key names. */
    private static final Duration SLACK = Duration.ofMinutes(5);
    /** The ttl of a budget counter that never resets. */
    private static final Duration FOREVER = Duration.ofDays(3650);
    /** The response header of a request admitted while the state backend was unreachable. */
    public static final String DEGRADED_HEADER = "x-tollgate-governance";
    /** Warnings about an unreachable state backend are logged at most this often (each kind). */
    public static final Duration OUTAGE_WARNING_INTERVAL = Duration.ofSeconds(10);

    /**
     * Tunables of the policy.
     *
     * @param lease                how long a crashed instance's holds last (long enough for the longest stream)
     * @param allowUnpriced        admit requests for models without prices on budget-governed
     *                             principals (their cost is counted as unknown) instead of refusing them
     * @param defaultOutputTokens  the output a request is assumed to produce when neither it nor the
     *                             catalog bounds it
     * @param onStateOutage        admit or refuse, per concern, while the state backend is unreachable
     */
    public record Options(Duration lease, boolean allowUnpriced, long defaultOutputTokens, OnStateOutage onStateOutage,
            Limits endUserLimits) {
        public static final Options DEFAULTS = new Options(Duration.ofMinutes(15), false, 4096);

        /** Options with the default outage behaviour ({@link OnStateOutage#DEFAULTS}) and no end-user limits. */
        public Options(Duration lease, boolean allowUnpriced, long defaultOutputTokens) {
            this(lease, allowUnpriced, defaultOutputTokens, OnStateOutage.DEFAULTS);
        }

        /** Options without end-user limits. */
        public Options(Duration lease, boolean allowUnpriced, long defaultOutputTokens, OnStateOutage onStateOutage) {
            this(lease, allowUnpriced, defaultOutputTokens, onStateOutage, Limits.NONE);
        }

        public Options {
            requireNonNull(lease, "lease is null");
            requireNonNull(onStateOutage, "onStateOutage is null");
            requireNonNull(endUserLimits, "endUserLimits is null");
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("lease must be positive: " + lease);
            }
            if (defaultOutputTokens < 1) {
                throw new IllegalArgumentException("defaultOutputTokens must be at least 1: " + defaultOutputTokens);
            }
        }
    }

    /** What a counter measures. */
    enum Dimension { RPM, TPM, PARALLEL, BUDGET }

    /** One level a request must pass. {@code label} names it in messages, for example {@code team 'research'}. */
    record Level(String kind, String id, String label, Limits limits) {}

    /** One hold of a request's reservation; {@code resetAt} is {@code null} when the counter never resets by time. */
    record Planned(Level level, Dimension dimension, String key, long amount, long limit, Duration window, Instant resetAt,
            Period period) {}

    /** The admission state: what was held, and what the ledger needs at settlement. */
    static final class Ticket {
        final String reservationId;
        final List<Planned> holds;
        final long tokenEstimate;
        final long worstCaseMicros;
        final String keyId;
        final List<String> teamPath;
        final String model;
        final AtomicBoolean settled = new AtomicBoolean();

        Ticket(String reservationId, List<Planned> holds, long tokenEstimate, long worstCaseMicros, String keyId,
                List<String> teamPath, String model) {
            this.reservationId = reservationId;
            this.holds = holds;
            this.tokenEstimate = tokenEstimate;
            this.worstCaseMicros = worstCaseMicros;
            this.keyId = keyId;
            this.teamPath = teamPath;
            this.model = model;
        }
    }

    private final GovernanceDirectory directory;
    private final StateBackend state;
    private final ModelPricing pricing;
    private final Map<String, Limits> modelLimits;
    private final Clock clock;
    private final BudgetPeriods periods;
    private final GovernanceStore store;
    private final Executor ledgerExecutor;
    private final Options options;
    /** Amounts this instance holds and has not settled, per rpm and tpm counter: the in-flight part of the headers' remaining. */
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    private final LongAdder unknownCost = new LongAdder();
    private final LongAdder ledgerFailures = new LongAdder();
    private final Metrics.Counter degraded;
    private final Metrics.Counter stateSettleFailures;
    private final AtomicLong nextRefusalWarning = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong nextDegradedWarning = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong nextSettleWarning = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param directory      keys and teams, read without blocking
     * @param state          where the counters and reservations live
     * @param pricing        worst-case prices and output limit per client-facing model
     * @param modelLimits    limits per client-facing model name, over every caller together
     * @param clock          wall time: minutes and budget periods
     * @param zone           the zone budget periods are aligned in
     * @param store          the spend ledger (and the source of {@link #seedBudgets()}), or {@code null} for none
     * @param ledgerExecutor runs the ledger's blocking writes (a virtual-thread executor)
     * @param options        lease, unpriced models, default output, outage behaviour
     */
    public GovernancePolicy(GovernanceDirectory directory, StateBackend state, ModelPricing pricing, Map<String, Limits> modelLimits,
            Clock clock, ZoneId zone, GovernanceStore store, Executor ledgerExecutor, Options options) {
        this(directory, state, pricing, modelLimits, clock, zone, store, ledgerExecutor, options, new KernelMetrics());
    }

    /**
     * As the other constructor, with the outage counters registered on {@code metrics}:
     * {@code tollgate_governance_degraded_total} and {@code tollgate_governance_settle_failures_total}.
     */
    public GovernancePolicy(GovernanceDirectory directory, StateBackend state, ModelPricing pricing, Map<String, Limits> modelLimits,
            Clock clock, ZoneId zone, GovernanceStore store, Executor ledgerExecutor, Options options, Metrics metrics) {
        this.directory = requireNonNull(directory, "directory is null");
        this.state = requireNonNull(state, "state is null");
        this.pricing = requireNonNull(pricing, "pricing is null");
        this.modelLimits = Map.copyOf(requireNonNull(modelLimits, "modelLimits is null"));
        this.clock = requireNonNull(clock, "clock is null");
        this.periods = new BudgetPeriods(requireNonNull(zone, "zone is null"));
        this.store = store;
        this.ledgerExecutor = store == null ? null : requireNonNull(ledgerExecutor, "ledgerExecutor is null");
        this.options = requireNonNull(options, "options is null");
        requireNonNull(metrics, "metrics is null");
        this.degraded = metrics.counter("tollgate_governance_degraded_total",
                "Requests admitted without rate limits or budgets because the state backend was unreachable");
        this.stateSettleFailures = metrics.counter("tollgate_governance_settle_failures_total",
                "Settlements the state backend failed; their holds end with their lease");
    }

    @Override
    public PolicyPhase phase() {
        return PolicyPhase.GOVERN;
    }

    /** Settlements whose cost was unknown and kept their worst-case budget hold. */
    public long unknownCostSettlements() {
        return unknownCost.sum();
    }

    /** Ledger records that could not be written. */
    public long ledgerFailures() {
        return ledgerFailures.sum();
    }

    /** Requests admitted without holds because the state backend was unreachable. */
    public long degradedAdmissions() {
        return degraded.value();
    }

    /** Settlements the state backend failed. */
    public long stateSettleFailures() {
        return stateSettleFailures.value();
    }

    // ---- admission ---------------------------------------------------------------------------

    @Override
    public CompletionStage<Admission> admit(PolicyRequest request) {
        try {
            return admitNow(request);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<Admission> admitNow(PolicyRequest request) {
        Instant now = clock.instant();
        String model = request.model();
        Principal principal = request.principal();
        List<Level> levels = new ArrayList<>(4);
        String keyId = principal.keyId().orElse(null);
        String teamId = principal.teamId().orElse(null);
        if (keyId != null) {
            Optional<VirtualKey> key = directory.key(keyId);
            if (key.isPresent()) {
                levels.add(new Level("key", keyId, "key '" + key.get().name() + "'", key.get().limits()));
                teamId = key.get().teamId() != null ? key.get().teamId() : teamId;
            }
        }
        List<String> teamPath = new ArrayList<>();
        if (keyId != null) {
            for (Team t : directory.teamPath(teamId)) {
                teamPath.add(t.id());
                levels.add(new Level("team", t.id(), "team '" + t.name() + "'", t.limits()));
            }
        }
        // the request's end user (its `user` field) under the key: every distinct user of a key has the same limits
        if (keyId != null && !options.endUserLimits().isNone() && request.facts().user().isPresent()) {
            String user = request.facts().user().get();
            levels.add(new Level("user", keyId + ":" + endUserId(user), "end user '" + printable(user) + "'", options.endUserLimits()));
        }
        Limits ml = modelLimits.get(model);
        if (ml != null) {
            levels.add(new Level("model", model, "model '" + model + "'", ml));
        }

        Optional<ModelInfo> info = pricing.worstCase(model);
        long estimate = tokenEstimate(request, info);
        Optional<Prices> prices = info.flatMap(ModelInfo::prices);
        Level budgeted = levels.stream().filter(l -> l.limits().budget() != null).findFirst().orElse(null);
        if (budgeted != null && prices.isEmpty() && !options.allowUnpriced()) {
            throw GatewayException.builder(ErrorType.CLIENT, 403, "model_not_priced")
                    .message("model '" + model + "' has no price in the model catalog, so the budget of " + budgeted.label()
                            + " cannot be enforced; ask an administrator to price it")
                    .build();
        }
        long worstCase = prices.map(p -> worstCaseMicros(p, request.facts().promptTokenEstimate(), estimate
                - Math.min(estimate, request.facts().promptTokenEstimate()))).orElse(0L);

        List<Planned> holds = plan(levels, now, estimate, worstCase);
        Ticket ticket = new Ticket(holds.isEmpty() ? null : request.requestId() + ":governance", holds, estimate, worstCase, keyId,
                List.copyOf(teamPath), model);
        if (holds.isEmpty()) {
            return CompletableFuture.completedFuture(Admission.builder().state(ticket).build());
        }
        Reservation.Builder r = Reservation.builder(ticket.reservationId, options.lease());
        for (Planned p : holds) {
            r.hold(p.key(), p.amount(), p.limit(), p.window());
        }
        CompletionStage<ReservationResult> reserved;
        try {
            reserved = state.reserve(r.build());
        } catch (RuntimeException e) {
            reserved = CompletableFuture.failedFuture(e);
        }
        return reserved.handle((result, error) -> {
            if (error != null) {
                return duringOutage(request, ticket, error);
            }
            if (!result.isGranted()) {
                Planned refused = holds.get(result.holdIndex());
                throw new CompletionException(refusal(refused, result.current(), clock.instant()));
            }
            holds.forEach(this::holdInFlight);
            return withHeaders(ticket, now);
        }).thenCompose(admission -> admission);
    }

    /**
     * The reservation failed: refuses when a concern the request is governed by is closed, else
     * admits it without holds (its settlement then touches no counter; the ledger still records it).
     */
    private CompletionStage<Admission> duringOutage(PolicyRequest request, Ticket ticket, Throwable error) {
        Throwable cause = unwrap(error);
        OnStateOutage on = options.onStateOutage();
        Planned closed = null;
        for (Planned p : ticket.holds) {
            OnStateOutage.Mode mode = p.dimension() == Dimension.BUDGET ? on.budgets() : on.rateLimits();
            if (mode == OnStateOutage.Mode.CLOSED) {
                closed = p;
                break;
            }
        }
        if (closed != null) {
            warnAtMostEvery(nextRefusalWarning, "the state backend is unreachable: requests governed by {} get 503 "
                    + "(governance.on_state_outage closed); {}", concern(closed), describe(cause));
            throw new CompletionException(unavailable(closed, cause));
        }
        degraded.increment();
        warnAtMostEvery(nextDegradedWarning, "the state backend is unreachable: requests such as {} are admitted unenforced "
                + "(governance.on_state_outage open); {}", request.requestId(), describe(cause));
        Ticket unheld = new Ticket(null, List.of(), ticket.tokenEstimate, ticket.worstCaseMicros, ticket.keyId, ticket.teamPath,
                ticket.model);
        return CompletableFuture.completedFuture(Admission.builder().state(unheld).header(DEGRADED_HEADER, "degraded").build());
    }

    private static String concern(Planned p) {
        return p.dimension() == Dimension.BUDGET ? "a budget" : "a rate limit";
    }

    /** Logs a warning unless one went out through {@code gate} less than {@link #OUTAGE_WARNING_INTERVAL} ago. */
    private void warnAtMostEvery(AtomicLong gate, String format, Object... args) {
        long now = clock.millis();
        long next = gate.get();
        if (now >= next && gate.compareAndSet(next, now + OUTAGE_WARNING_INTERVAL.toMillis())) {
            log.warn(format, args);
        }
    }

    /**
     * The failure for the log: a {@link GatewayException}'s code and message (written to reach a
     * client, so naming no host or secret), otherwise only class names, down to four causes deep.
     */
    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (; t != null && depth < 4; depth++, t = t.getCause()) {
            sb.append(depth == 0 ? "" : " (cause: ");
            if (t instanceof GatewayException g) {
                sb.append(g.status()).append(' ').append(g.code()).append(": ").append(g.getMessage());
            } else {
                sb.append(t.getClass().getName());
            }
        }
        sb.append(")".repeat(Math.max(0, depth - 1)));
        return sb.toString();
    }

    /**
     * The tokens the request may take: its prompt estimate plus its output bound (its
     * {@code max_tokens}, else the model's output limit, else {@link Options#defaultOutputTokens}),
     * at most the model's context window.
     */
    private long tokenEstimate(PolicyRequest request, Optional<ModelInfo> info) {
        long prompt = request.facts().promptTokenEstimate();
        long output;
        if (request.facts().maxTokens().isPresent()) {
            output = request.facts().maxTokens().getAsInt();
        } else if (info.isPresent() && info.get().maxOutputTokens().isPresent()) {
            output = info.get().maxOutputTokens().getAsLong();
        } else {
            output = options.defaultOutputTokens();
        }
        long estimate = prompt + output;
        if (info.isPresent() && info.get().contextWindow().isPresent()) {
            estimate = Math.min(estimate, Math.max(prompt, info.get().contextWindow().getAsLong()));
        }
        return estimate;
    }

    /**
     * The cost of {@code input} and {@code output} tokens at their most expensive prices: input
     * as cache writes when those cost more, output as reasoning when that costs more.
     */
    static long worstCaseMicros(Prices p, long input, long output) {
        Usage.Builder u = Usage.builder().inputTokens(input).outputTokens(output);
        if (p.cacheWritePerMillion().isPresent() && p.cacheWritePerMillion().get().compareTo(p.inputPerMillion()) > 0) {
            u.cacheWriteTokens(input);
        }
        if (p.reasoningPerMillion().isPresent() && p.reasoningPerMillion().get().compareTo(p.outputPerMillion()) > 0) {
            u.reasoningTokens(output);
        }
        return p.costMicros(u.build());
    }

    /** The holds for every limit set, level by level; refuses at once at a limit of 0. */
    private List<Planned> plan(List<Level> levels, Instant now, long estimate, long worstCase) {
        long minute = Math.floorDiv(now.getEpochSecond(), 60);
        Instant minuteEnd = Instant.ofEpochSecond((minute + 1) * 60);
        Duration minuteWindow = MINUTE.plus(SLACK);
        List<Planned> holds = new ArrayList<>();
        for (Level l : levels) {
            Limits lim = l.limits();
            String base = "rl:" + l.kind() + ":" + l.id();
            if (lim.rpm() != null) {
                add(holds, new Planned(l, Dimension.RPM, base + ":rpm:" + minute, 1, lim.rpm(), minuteWindow, minuteEnd, null), now);
            }
            if (lim.tpm() != null) {
                add(holds, new Planned(l, Dimension.TPM, base + ":tpm:" + minute, Math.min(estimate, lim.tpm()), lim.tpm(),
                        minuteWindow, minuteEnd, null), now);
            }
            if (lim.maxParallel() != null) {
                add(holds, new Planned(l, Dimension.PARALLEL, base + ":parallel", 1, lim.maxParallel(), options.lease(), null, null), now);
            }
            Budget b = lim.budget();
            if (b != null) {
                BudgetPeriods.Span span = periods.spanAt(b.period(), now);
                add(holds, new Planned(l, Dimension.BUDGET, budgetKey(l.kind(), l.id(), b.period(), span), worstCase, b.microUsd(),
                        budgetWindow(span, now), span.end(), b.period()), now);
            }
        }
        return holds;
    }

    private void add(List<Planned> holds, Planned p, Instant now) {
        if (p.limit() == 0) {
            throw refusal(p, 0, now);
        }
        holds.add(p);
    }

    static String budgetKey(String kind, String id, Period period, BudgetPeriods.Span span) {
        return "budget:" + kind + ":" + id + ":" + period.name().toLowerCase(Locale.ROOT) + ":" + span.start().getEpochSecond();
    }

    private static Duration budgetWindow(BudgetPeriods.Span span, Instant now) {
        return span.end() == null ? FOREVER : Duration.between(now, span.end()).plus(SLACK);
    }

    // ---- headers -----------------------------------------------------------------------------

    private void holdInFlight(Planned p) {
        if (p.dimension() == Dimension.RPM || p.dimension() == Dimension.TPM) {
            inFlight.merge(p.key(), p.amount(), Long::sum);
        }
    }

    private void releaseInFlight(Planned p) {
        if (p.dimension() == Dimension.RPM || p.dimension() == Dimension.TPM) {
            inFlight.computeIfPresent(p.key(), (k, v) -> v - p.amount() <= 0 ? null : v - p.amount());
        }
    }

    /**
     * Admits with OpenAI's {@code x-ratelimit-*} headers of the tightest level: the one with the
     * least left this minute, counting what was settled (the backend) and what this instance has
     * in flight, this request included.
     */
    private CompletionStage<Admission> withHeaders(Ticket ticket, Instant now) {
        List<Planned> windowed = ticket.holds.stream()
                .filter(p -> p.dimension() == Dimension.RPM || p.dimension() == Dimension.TPM).toList();
        Admission.Builder a = Admission.builder().state(ticket);
        if (windowed.isEmpty()) {
            return CompletableFuture.completedFuture(a.build());
        }
        List<CompletableFuture<Long>> used = new ArrayList<>(windowed.size());
        for (Planned p : windowed) {
            used.add(state.get(p.key()).toCompletableFuture().exceptionally(e -> 0L));
        }
        return CompletableFuture.allOf(used.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            Planned[] tightest = new Planned[2];
            long[] remaining = {Long.MAX_VALUE, Long.MAX_VALUE};
            for (int i = 0; i < windowed.size(); i++) {
                Planned p = windowed.get(i);
                int d = p.dimension() == Dimension.RPM ? 0 : 1;
                long left = Math.max(0, p.limit() - used.get(i).join() - inFlight.getOrDefault(p.key(), 0L));
                if (left < remaining[d]) {
                    remaining[d] = left;
                    tightest[d] = p;
                }
            }
            String[] suffix = {"requests", "tokens"};
            for (int d = 0; d < 2; d++) {
                if (tightest[d] != null) {
                    a.header("x-ratelimit-limit-" + suffix[d], Long.toString(tightest[d].limit()))
                            .header("x-ratelimit-remaining-" + suffix[d], Long.toString(remaining[d]))
                            .header("x-ratelimit-reset-" + suffix[d], resetText(Duration.between(now, tightest[d].resetAt())));
                }
            }
            return a.build();
        });
    }

    /** A duration as OpenAI writes its resets: {@code 1s}, {@code 6m0s}, {@code 1h2m0s}; whole seconds, rounded up. */
    static String resetText(Duration d) {
        long s = Math.max(0, ceilSeconds(d));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s / 60 % 60) + "m" + (s % 60) + "s";
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    // ---- refusals ----------------------------------------------------------------------------

    private GatewayException refusal(Planned p, long current, Instant now) {
        String label = p.level().label();
        return switch (p.dimension()) {
            case RPM -> rateLimited(p, now, label + " is over its requests-per-minute limit (" + p.limit() + ")", "requests");
            case TPM -> rateLimited(p, now, label + " is over its tokens-per-minute limit (" + p.limit() + "); this request may take "
                    + p.amount() + " tokens", "tokens");
            case PARALLEL -> GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded")
                    .message(label + " is at its limit of " + p.limit() + " parallel requests")
                    .retryable(false).fallbackAllowed(false).retryAfter(Duration.ofSeconds(1)).build();
            case BUDGET -> budgetRefusal(p, now);
        };
    }

    private GatewayException rateLimited(Planned p, Instant now, String message, String suffix) {
        Duration resetsIn = Duration.between(now, p.resetAt());
        return GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded").message(message)
                .retryable(false).fallbackAllowed(false)
                .retryAfter(Duration.ofSeconds(Math.max(1, ceilSeconds(resetsIn))))
                .header("x-ratelimit-limit-" + suffix, Long.toString(p.limit()))
                .header("x-ratelimit-remaining-" + suffix, "0")
                .header("x-ratelimit-reset-" + suffix, resetText(resetsIn))
                .build();
    }

    private GatewayException budgetRefusal(Planned p, Instant now) {
        String period = switch (p.period()) {
            case NONE -> "";
            case DAILY -> "daily ";
            case WEEKLY -> "weekly ";
            case MONTHLY -> "monthly ";
        };
        StringBuilder m = new StringBuilder(p.level().label()).append(p.limit() == 0 ? " has a " + period + "budget of $0"
                : " has used its " + period + "budget of " + dollars(p.limit()));
        if (p.amount() > p.limit()) {
            m.append("; this request's worst-case cost of ").append(dollars(p.amount()))
                    .append(" is more than the whole budget (lower max_tokens)");
        }
        // the official SDKs retry every 429 unless told not to (measured: the OpenAI Java SDK sent it three times)
        GatewayException.Builder b = GatewayException.builder(ErrorType.BUDGET, 429, "insufficient_quota")
                .header("x-should-retry", "false");
        if (p.resetAt() == null) {
            m.append("; it does not reset");
        } else {
            m.append("; it resets at ").append(OffsetDateTime.ofInstant(p.resetAt(), periods.zone()));
            b.retryAfter(Duration.ofSeconds(Math.max(1, ceilSeconds(Duration.between(now, p.resetAt())))));
        }
        return b.message(m.toString()).build();
    }

    /** A bounded, non-reversible id for an end user's counters: the user field is whatever the client sent. */
    static String endUserId(String user) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(user.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client-chosen string as it may appear in a message: short, printable ASCII. */
    static String printable(String s) {
        String p = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return p.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static String dollars(long micros) {
        return "$" + (micros / 1_000_000) + "." + String.format(Locale.ROOT, "%06d", micros % 1_000_000);
    }

    /** The refusal of a request whose {@code closed} concern cannot be checked; names the level, never the backend. */
    private static GatewayException unavailable(Planned closed, Throwable cause) {
        String what = closed.dimension() == Dimension.BUDGET ? "the budget of " : "the rate limits of ";
        return GatewayException.builder(ErrorType.INTERNAL, 503, "governance_unavailable")
                .message(what + closed.level().label() + " cannot be checked: the shared state is unreachable; try again shortly")
                .retryAfter(Duration.ofSeconds(1)).cause(cause).build();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- attempts ----------------------------------------------------------------------------

    /**
     * Keeps the admission for every attempt. This is the hook for re-pricing a fallback to another
     * model once routing falls back across models: compare {@code attempt.model()} with the
     * ticket's model, and reserve the difference of the worst cases on the budget counters.
     */
    @Override
    public CompletionStage<Admission> beforeAttempt(PolicyRequest request, Admission admission, AttemptInfo attempt) {
        return CompletableFuture.completedFuture(admission);
    }

    // ---- settlement --------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> settle(PolicyRequest request, Admission admission, Outcome outcome) {
        if (!(admission.state() instanceof Ticket ticket) || !ticket.settled.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        ticket.holds.forEach(this::releaseInFlight);
        CompletionStage<Void> counters;
        if (ticket.reservationId == null) {
            counters = CompletableFuture.completedFuture(null);
        } else {
            try {
                counters = state.settle(ticket.reservationId, actuals(ticket, outcome));
            } catch (RuntimeException e) {
                counters = CompletableFuture.failedFuture(e);
            }
        }
        CompletionStage<Void> settledCounters = counters.exceptionally(e -> {
            stateSettleFailures.increment();
            warnAtMostEvery(nextSettleWarning, "the state backend failed to settle request {} (its holds end with their lease); {}",
                    request.requestId(), describe(unwrap(e)));
            return null;
        });
        return record(request, ticket, outcome).thenCompose(v -> settledCounters);
    }

    /**
     * The amounts to commit, per held counter. A request without usage did no work when no provider
     * was called, or when it failed before any provider sent a first event; one that failed or was
     * cancelled after its answer had started (a client that hung up mid-stream before the usage
     * came) did work of unknown cost, which keeps the worst case like every unknown cost: otherwise
     * hanging up just before a stream's final usage would spend a budget for free.
     */
    private Map<String, Long> actuals(Ticket ticket, Outcome outcome) {
        boolean answerStarted = outcome.attempts().stream().anyMatch(a -> a.timeToFirstEvent().isPresent());
        boolean noWork = outcome.usage().isEmpty() && (outcome.attempts().isEmpty() || (!outcome.succeeded() && !answerStarted));
        long tokens = outcome.usage().map(Usage::totalTokens).orElse(noWork ? 0L : ticket.tokenEstimate);
        long cost;
        if (noWork) {
            cost = 0;
        } else if (outcome.cost().isKnown()) {
            cost = outcome.cost().micros().getAsLong();
        } else {
            cost = ticket.worstCaseMicros;
        }
        boolean countedUnknown = false;
        Map<String, Long> actual = new HashMap<>();
        for (Planned p : ticket.holds) {
            switch (p.dimension()) {
                case RPM -> actual.put(p.key(), 1L);
                case TPM -> actual.put(p.key(), tokens);
                case PARALLEL -> actual.put(p.key(), 0L);
                case BUDGET -> {
                    actual.put(p.key(), cost);
                    if (!noWork && !outcome.cost().isKnown() && !countedUnknown) {
                        unknownCost.increment();
                        countedUnknown = true;
                    }
                }
            }
        }
        return actual;
    }

    /** Records the request in the ledger; the stage completes (never exceptionally) when the record is durable or has failed. */
    private CompletionStage<Void> record(PolicyRequest request, Ticket ticket, Outcome outcome) {
        if (store == null) {
            return CompletableFuture.completedFuture(null);
        }
        Usage usage = outcome.usage().orElse(null);
        SpendEntry entry = SpendEntry.builder().requestId(request.requestId()).at(clock.instant()).keyId(ticket.keyId)
                .teamPath(ticket.teamPath)
                .model(outcome.model().orElse(ticket.model)).microUsd(outcome.cost().isKnown() ? outcome.cost().micros().getAsLong() : null)
                .inputTokens(usage == null ? 0 : usage.inputTokens()).outputTokens(usage == null ? 0 : usage.outputTokens()).build();
        CompletableFuture<Void> write;
        try {
            write = store instanceof AsyncSpendRecorder async ? async.recordSpendAsync(List.of(entry)).toCompletableFuture()
                    : CompletableFuture.runAsync(() -> store.recordSpend(List.of(entry)), ledgerExecutor);
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e);
        }
        return write.handle((v, e) -> {
            if (e != null) {
                ledgerFailures.increment();
                log.warn("could not record the spend of request {} in the ledger", request.requestId(),
                        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            }
            return null;
        });
    }

    // ---- seeding -----------------------------------------------------------------------------

    /**
     * Adds the ledger's spend of the current period to every budget counter, so that a restart (or
     * an in-process backend, which starts empty) does not forget what was spent. A counter already
     * at or above the ledger's sum (a shared backend that outlived the restart) is left alone;
     * one below it gets the difference, so seeding twice does not count twice. Blocking: call it
     * at startup, before the gateway serves, from a thread that may block. Only priced spend is in
     * the ledger's sums: the worst-case holds of requests whose cost was unknown are not restored.
     * Returns the number of counters raised.
     */
    public int seedBudgets() {
        if (store == null) {
            return 0;
        }
        Instant now = clock.instant();
        int seeded = 0;
        for (VirtualKey k : store.keys()) {
            Budget b = k.limits().budget();
            if (b != null) {
                BudgetPeriods.Span span = periods.spanAt(b.period(), now);
                seeded += seed("key", k.id(), b, span, now, store.keySpentMicros(k.id(), span.start()));
            }
        }
        for (Team t : store.teams()) {
            Budget b = t.limits().budget();
            if (b != null) {
                BudgetPeriods.Span span = periods.spanAt(b.period(), now);
                seeded += seed("team", t.id(), b, span, now, store.teamSpentMicros(t.id(), span.start()));
            }
        }
        Map<Period, Map<String, Long>> byModel = new HashMap<>();
        for (Map.Entry<String, Limits> e : modelLimits.entrySet()) {
            Budget b = e.getValue().budget();
            if (b != null) {
                BudgetPeriods.Span span = periods.spanAt(b.period(), now);
                Map<String, Long> spent = byModel.computeIfAbsent(b.period(), p -> modelSpend(span.start()));
                seeded += seed("model", e.getKey(), b, span, now, spent.getOrDefault(e.getKey(), 0L));
            }
        }
        return seeded;
    }

    private Map<String, Long> modelSpend(Instant from) {
        Map<String, Long> out = new HashMap<>();
        for (SpendQuery.Row row : store.spend(new SpendQuery(SpendQuery.GroupBy.MODEL, from, null))) {
            out.put(row.group(), row.microUsd());
        }
        return out;
    }

    private int seed(String kind, String id, Budget b, BudgetPeriods.Span span, Instant now, long spent) {
        String key = budgetKey(kind, id, b.period(), span);
        long missing = spent - state.get(key).toCompletableFuture().join();
        if (missing <= 0) {
            return 0;
        }
        state.adjust(key, missing, budgetWindow(span, now)).toCompletableFuture().join();
        return 1;
    }
}
