package dev.tollgate.kernel.governance.limits;

import dev.tollgate.kernel.governance.InMemoryGovernanceStore;
import dev.tollgate.kernel.governance.GovernanceDirectory;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.kernel.state.InProcessStateBackend;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.catalog.Prices;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.policy.Admission;
import dev.tollgate.spi.policy.AttemptRecord;
import dev.tollgate.spi.policy.Cost;
import dev.tollgate.spi.policy.Outcome;
import dev.tollgate.spi.policy.PolicyRequest;
import dev.tollgate.spi.policy.Principal;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.testkit.ManualTime;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A {@link GovernancePolicy} on manual time, an in-process backend and an in-memory store, with
 * helpers to build keys, teams, requests and outcomes.
 */
final class PolicyHarness {

    /** A Wednesday, 11:00:30 in Berlin. */
    static final Instant START = Instant.parse("2026-12-02T10:00:30Z");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** $1 per million input tokens, $2 per million output tokens. */
    static final Prices PRICES = Prices.builder(BigDecimal.ONE, BigDecimal.valueOf(2)).build();

    final ManualTime time = new ManualTime(START);
    final InProcessStateBackend state = new InProcessStateBackend(Runnable::run, time);
    /** What the policy talks to: {@link #state} unless a test puts a failing backend in front of it. */
    StateBackend backend = state;
    final KernelMetrics metrics = new KernelMetrics();
    final GovernanceDirectory directory = new GovernanceDirectory();
    final InMemoryGovernanceStore store = new InMemoryGovernanceStore();
    final Map<String, ModelInfo> models = new HashMap<>();
    final Map<String, Limits> modelLimits = new HashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    Executor ledgerExecutor = Runnable::run;
    GovernancePolicy.Options options = GovernancePolicy.Options.DEFAULTS;
    private GovernancePolicy policy;

    PolicyHarness() {
        models.put("gpt", ModelInfo.builder("gpt").prices(PRICES).maxOutputTokens(1000).build());
        models.put("free-llm", ModelInfo.builder("free-llm").maxOutputTokens(1000).build());
    }

    GovernancePolicy policy() {
        if (policy == null) {
            directory.reload(store);
            policy = new GovernancePolicy(directory, backend, m -> Optional.ofNullable(models.get(m)), modelLimits,
                    time.clock(), BERLIN, store, ledgerExecutor, options, metrics);
        }
        return policy;
    }

    Team team(String id, String name, String parent, Limits limits) {
        Team t = Team.builder().id(id).name(name).parentId(parent).limits(limits).metadata(Map.of()).createdAt(START).build();
        store.createTeam(t);
        return t;
    }

    VirtualKey key(String id, String name, String teamId, Limits limits) {
        VirtualKey k = VirtualKey.builder().id(id).name(name).teamId(teamId).prefix("pfx" + id).hash("hash-" + id).limits(limits)
                .createdAt(START).build();
        store.createKey(k);
        return k;
    }

    static Limits rpm(long n) {
        return Limits.builder().rpm(n).build();
    }

    static Principal principal(VirtualKey k) {
        return Principal.builder().keyId(k.id()).keyName(k.name()).teamId(k.teamId()).build();
    }

    PolicyRequest request(Principal who, String model, long promptTokens, int maxTokens) {
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_CHAT, model).promptTokenEstimate(promptTokens)
                .maxTokens(maxTokens).build();
        return PolicyRequest.of("req-" + ids.incrementAndGet(), "/v1/chat/completions", facts, Headers.EMPTY, Bytes.EMPTY, null)
                .withPrincipal(who);
    }

    PolicyRequest request(Principal who) {
        return request(who, "gpt", 100, 100);
    }

    /** A request whose {@code user} field names {@code endUser}. */
    PolicyRequest requestOf(Principal who, String endUser) {
        RequestFacts facts = RequestFacts.builder(WireFormat.OPENAI_CHAT, "gpt").promptTokenEstimate(100).maxTokens(100)
                .user(endUser).build();
        return PolicyRequest.of("req-" + ids.incrementAndGet(), "/v1/chat/completions", facts, Headers.EMPTY, Bytes.EMPTY, null)
                .withPrincipal(who);
    }

    /** An admission or the refusal, whichever the policy answered. */
    record Verdict(PolicyRequest request, Admission admission, GatewayException refusal) {
        boolean admitted() {
            return admission != null;
        }
    }

    Verdict admit(PolicyRequest r) {
        try {
            return new Verdict(r, policy().admit(r).toCompletableFuture().join(), null);
        } catch (CompletionException e) {
            if (e.getCause() instanceof GatewayException g) {
                return new Verdict(r, null, g);
            }
            throw e;
        }
    }

    /** Admits {@code n} requests from 8 threads that start together; the verdicts in no particular order. */
    List<Verdict> admitConcurrently(int n, Supplier<PolicyRequest> requests) throws Exception {
        policy();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CyclicBarrier start = new CyclicBarrier(8);
            List<Future<List<Verdict>>> parts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int share = n / 8 + (t < n % 8 ? 1 : 0);
                parts.add(pool.submit(() -> {
                    start.await();
                    List<Verdict> out = new ArrayList<>();
                    for (int i = 0; i < share; i++) {
                        out.add(admit(requests.get()));
                    }
                    return out;
                }));
            }
            List<Verdict> all = new ArrayList<>();
            for (Future<List<Verdict>> f : parts) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    Verdict admit(Principal who) {
        return admit(request(who));
    }

    GatewayException refused(PolicyRequest r) {
        Verdict v = admit(r);
        if (v.admitted()) {
            throw new AssertionError("expected a refusal of " + r);
        }
        return v.refusal();
    }

    void settle(Verdict v, Outcome outcome) {
        policy().settle(v.request(), v.admission(), outcome).toCompletableFuture().join();
    }

    /** A request that answered with {@code usage}, priced by the kernel's rule ({@link #PRICES} for {@code gpt}). */
    static Outcome answered(String model, Usage usage) {
        Cost cost = "gpt".equals(model) ? Cost.ofMicros(PRICES.costMicros(usage)) : Cost.unknown();
        return Outcome.builder(200, Duration.ofMillis(20)).usage(usage).cost(cost).model(model)
                .attempts(List.of(new AttemptRecord(0, model + "#0", AttemptRecord.Result.SUCCEEDED, null, Duration.ofMillis(20), null, usage)))
                .build();
    }

    static Outcome answered(Usage usage) {
        return answered("gpt", usage);
    }

    /** A request whose provider failed without reporting usage. */
    static Outcome failedWithoutUsage() {
        return Outcome.builder(502, Duration.ofMillis(20)).errorCode("upstream_error").cost(Cost.unknown())
                .attempts(List.of(new AttemptRecord(0, "gpt#0", AttemptRecord.Result.FAILED, "upstream_error", Duration.ofMillis(20), null, null)))
                .build();
    }

    /** A successful answer without usage (a provider that reports none). */
    static Outcome answeredWithoutUsage() {
        return Outcome.builder(200, Duration.ofMillis(20)).cost(Cost.unknown()).model("gpt")
                .attempts(List.of(new AttemptRecord(0, "gpt#0", AttemptRecord.Result.SUCCEEDED, null, Duration.ofMillis(20), null, null)))
                .build();
    }

    long counter(String key) {
        return state.get(key).toCompletableFuture().join();
    }

    /** The epoch minute of the manual clock, as the policy's counter keys name it. */
    long minute() {
        return Math.floorDiv(time.instant().getEpochSecond(), 60);
    }

    static List<String> header(Admission a, String name) {
        return a.responseHeaders().all(name);
    }

    static List<Verdict> admitted(List<Verdict> vs) {
        List<Verdict> out = new ArrayList<>();
        for (Verdict v : vs) {
            if (v.admitted()) {
                out.add(v);
            }
        }
        return out;
    }
}
