package dev.tollgate.bench.jmh;

import dev.tollgate.spi.store.Budget;
import dev.tollgate.kernel.governance.GovernanceDirectory;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import dev.tollgate.kernel.governance.auth.Authenticator;
import dev.tollgate.kernel.governance.auth.KeyAuthenticationPolicy;
import dev.tollgate.kernel.governance.auth.MasterKey;
import dev.tollgate.kernel.governance.auth.VirtualKeys;
import dev.tollgate.kernel.governance.limits.GovernancePolicy;
import dev.tollgate.kernel.governance.store.BatchingSpendStore;
import dev.tollgate.kernel.governance.store.EmbeddedGovernanceStore;
import dev.tollgate.kernel.state.InProcessStateBackend;
import dev.tollgate.spi.Bytes;
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
import dev.tollgate.spi.time.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What governance costs one request on its I/O thread, with the built-in policies on the
 * in-process state backend: every stage they answer with is already completed. The directory
 * holds {@value #KEYS} keys under {@value #TEAMS} teams ({@value #ORGANISATIONS} organisations of
 * 9 teams each); the requests cycle over {@value #SLOTS} of the keys. Limits are set at every
 * level but high enough never to refuse, so every operation takes the admitting path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class GovernanceBench {

    static final int KEYS = 10_000;
    static final int TEAMS = 100;
    static final int ORGANISATIONS = 10;
    /** Requests cycle over this many keys (a power of two). */
    static final int SLOTS = 1024;
    /** Ledger writes the embedded-ledger variant lets run behind the request path before it waits for one. */
    static final int LEDGER_WINDOW = 64;
    static final String MODEL = "gpt-4o-mini";
    /** Never reached in a run: a limit that is set (so it is held and settled) but does not refuse. */
    static final long HIGH = 1_000_000_000_000L;
    static final Limits KEY_LIMITS = Limits.builder().rpm(HIGH).tpm(HIGH).maxParallel(1_000_000)
            .budget(new Budget(HIGH, Period.MONTHLY)).build();
    static final Limits TEAM_LIMITS = Limits.builder().rpm(HIGH).budget(new Budget(HIGH, Period.MONTHLY)).build();
    /** gpt-4o-mini's list prices: $0.15 and $0.60 per million input and output tokens. */
    static final Prices PRICES = Prices.builder(new BigDecimal("0.15"), new BigDecimal("0.60")).build();
    static final Usage USAGE = Usage.of(24, 12);

    GovernanceDirectory directory;
    /** The secrets of the keys the requests use, by slot: every {@code KEYS / SLOTS}-th key. */
    String[] secrets;
    PolicyRequest[] authRequests;
    Principal[] principals;
    KeyAuthenticationPolicy authentication;
    GovernancePolicy limits;
    NoLedger noLedger;
    GovernancePolicy limitsWithLedger;
    GovernancePolicy limitsHandedOff;
    NoLedger handedOffLedger;
    InProcessStateBackend state;
    InProcessStateBackend ledgerState;
    EmbeddedGovernanceStore ledger;
    BatchingSpendStore batchedLedger;
    ExecutorService ledgerExecutor;
    Path ledgerDir;
    CompletableFuture<?>[] ledgerWrites;
    RequestFacts facts;
    Outcome outcome;
    long sequence;

    @Setup
    public void setup() {
        Instant created = Instant.parse("2026-12-01T00:00:00Z");
        List<Team> teams = new ArrayList<>(TEAMS);
        for (int o = 0; o < ORGANISATIONS; o++) {
            teams.add(Team.builder().id("org-" + o).name("organisation " + o).limits(TEAM_LIMITS)
                    .metadata(Map.of("cost-center", "cc-" + o)).createdAt(created).build());
        }
        for (int t = 0; teams.size() < TEAMS; t++) {
            teams.add(Team.builder().id("team-" + t).name("team " + t).parentId("org-" + (t % ORGANISATIONS)).limits(TEAM_LIMITS)
                    .metadata(Map.of()).createdAt(created).build());
        }
        List<VirtualKey> keys = new ArrayList<>(KEYS);
        secrets = new String[SLOTS];
        int stride = KEYS / SLOTS;
        for (int i = 0; i < KEYS; i++) {
            String secret = VirtualKeys.generate();
            if (i % stride == 0 && i / stride < SLOTS) {
                secrets[i / stride] = secret;
            }
            keys.add(VirtualKey.builder().id("key_" + i).name("key " + i).teamId("team-" + (i % (TEAMS - ORGANISATIONS)))
                    .prefix(VirtualKeys.prefixOf(secret))
                    .hash(VirtualKeys.hash(secret)).metadata(Map.of("owner", "user-" + i)).limits(KEY_LIMITS).createdAt(created).build());
        }
        directory = new GovernanceDirectory();
        directory.replace(keys, teams);

        Clock clock = Clock.systemUTC();
        authentication = new KeyAuthenticationPolicy(new Authenticator(directory, MasterKey.of("bench-master-key"), true, clock));
        facts = RequestFacts.builder(WireFormat.OPENAI_CHAT, MODEL).promptTokenEstimate(24).maxTokens(64).build();
        authRequests = new PolicyRequest[SLOTS];
        principals = new Principal[SLOTS];
        for (int s = 0; s < SLOTS; s++) {
            String[] h = Fixtures.HEADERS.clone();
            h[13] = "Bearer " + secrets[s];
            authRequests[s] = PolicyRequest.of("req-auth-" + s, "/v1/chat/completions", facts, Headers.of(h), Bytes.EMPTY, null);
            principals[s] = authenticate(s).principal().orElseThrow();
        }

        ModelInfo info = ModelInfo.builder(MODEL).prices(PRICES).maxOutputTokens(16_384).contextWindow(128_000).build();
        outcome = Outcome.builder(200, Duration.ofMillis(20)).usage(USAGE).cost(Cost.ofMicros(PRICES.costMicros(USAGE))).model(MODEL)
                .attempts(List.of(new AttemptRecord(0, MODEL + "#0", AttemptRecord.Result.SUCCEEDED, null, Duration.ofMillis(20),
                        null, USAGE)))
                .build();
        state = new InProcessStateBackend(Runnable::run, Ticker.system());
        limits = new GovernancePolicy(directory, state, m -> MODEL.equals(m) ? Optional.of(info) : Optional.empty(), Map.of(),
                clock, ZoneId.of("Europe/Berlin"), noLedger = new NoLedger(), Runnable::run, GovernancePolicy.Options.DEFAULTS);

        try {
            ledgerDir = Files.createTempDirectory("tollgate-bench-ledger");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ledger = EmbeddedGovernanceStore.open(ledgerDir);
        // as the gateway composes it: concurrent settlements share one transaction
        batchedLedger = new BatchingSpendStore(ledger);
        // the gateway's ledger executor: a virtual thread per write
        ledgerExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bench-ledger-", 0).factory());
        ledgerState = new InProcessStateBackend(Runnable::run, Ticker.system());
        limitsWithLedger = new GovernancePolicy(directory, ledgerState, m -> MODEL.equals(m) ? Optional.of(info) : Optional.empty(),
                Map.of(), clock, ZoneId.of("Europe/Berlin"), batchedLedger, ledgerExecutor, GovernancePolicy.Options.DEFAULTS);
        limitsHandedOff = new GovernancePolicy(directory, new InProcessStateBackend(Runnable::run, Ticker.system()),
                m -> MODEL.equals(m) ? Optional.of(info) : Optional.empty(), Map.of(), clock, ZoneId.of("Europe/Berlin"),
                handedOffLedger = new NoLedger(), ledgerExecutor, GovernancePolicy.Options.DEFAULTS);
        ledgerWrites = new CompletableFuture<?>[LEDGER_WINDOW];
    }

    @TearDown
    public void tearDown() throws IOException {
        awaitLedger();
        ledgerExecutor.close();
        batchedLedger.close();
        try (Stream<Path> files = Files.walk(ledgerDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Waits for the embedded ledger's writes in flight. */
    void awaitLedger() {
        for (CompletableFuture<?> w : ledgerWrites) {
            if (w != null) {
                w.join();
            }
        }
    }

    private Admission authenticate(int slot) {
        return authentication.admit(authRequests[slot]).toCompletableFuture().getNow(null);
    }

    /**
     * The AUTHENTICATE policy for {@code Authorization: Bearer tg-…} among ten headers: finding the
     * key, its SHA-256 (compared with the master key's), the snapshot lookup, the team path and the
     * principal with the teams' and the key's metadata.
     */
    @Benchmark
    public Admission authenticate() {
        return authenticate((int) (sequence++ & (SLOTS - 1)));
    }

    /** A request with a new id, as the kernel hands it to the GOVERN phase: the principal set by authentication. */
    private PolicyRequest governed() {
        long n = sequence++;
        return PolicyRequest.of("req-" + n, "/v1/chat/completions", facts, Headers.EMPTY, Bytes.EMPTY, null)
                .withPrincipal(principals[(int) (n & (SLOTS - 1))]);
    }

    /**
     * The limits policy's admit and settle of one request whose key has rpm, tpm, max_parallel and
     * a monthly budget, and whose team and organisation each have rpm and a monthly budget: one
     * reservation of 8 holds, the rate-limit headers, the settlement of the 8 counters, the spend
     * entry handed to a ledger that discards it on the calling thread.
     */
    @Benchmark
    public Admission limitsAndBudget() {
        PolicyRequest r = governed();
        Admission a = limits.admit(r).toCompletableFuture().getNow(null);
        limits.settle(r, a, outcome);
        return a;
    }

    /**
     * {@link #limitsAndBudget} with the real ledger: the embedded store (SQLite, WAL,
     * {@code synchronous=NORMAL}) in a temporary directory, written on a virtual thread per request
     * as in the gateway. The request path does not wait for the write; the benchmark waits for the
     * write of {@value #LEDGER_WINDOW} requests earlier, so that the writes in flight stay bounded.
     * Measures the I/O thread's work while the writer keeps up, and the writer's pace when it does not.
     */
    @Benchmark
    public Admission limitsAndBudgetWithEmbeddedLedger() {
        PolicyRequest r = governed();
        Admission a = limitsWithLedger.admit(r).toCompletableFuture().getNow(null);
        boundLedger(limitsWithLedger.settle(r, a, outcome));
        return a;
    }

    /**
     * {@link #limitsAndBudget} with the gateway's ledger hand-off: the spend entry goes to a
     * virtual thread per request, as in the gateway, whose ledger discards it, so the writer
     * always keeps up. This is the I/O thread's part of {@link #limitsAndBudgetWithEmbeddedLedger}.
     */
    @Benchmark
    public Admission limitsAndBudgetLedgerHandOff() {
        PolicyRequest r = governed();
        Admission a = limitsHandedOff.admit(r).toCompletableFuture().getNow(null);
        boundLedger(limitsHandedOff.settle(r, a, outcome));
        return a;
    }

    /** Keeps at most {@value #LEDGER_WINDOW} ledger writes in flight: waits for the one {@value #LEDGER_WINDOW} requests earlier. */
    private void boundLedger(CompletionStage<Void> settled) {
        int slot = (int) (sequence % LEDGER_WINDOW);
        CompletableFuture<?> earlier = ledgerWrites[slot];
        if (earlier != null) {
            earlier.join();
        }
        ledgerWrites[slot] = settled.toCompletableFuture();
    }

    /** One settled request written to the embedded ledger on the calling thread, as a ledger write does it: one transaction. */
    @Benchmark
    public long ledgerWrite() {
        long n = sequence++;
        ledger.recordSpend(List.of(SpendEntry.builder().requestId("req-write-" + n).at(Instant.now()).keyId("key_" + (n % KEYS))
                .teamPath(List.of("team-" + (n % (TEAMS - ORGANISATIONS)), "org-" + (n % ORGANISATIONS))).model(MODEL)
                .microUsd(14L).inputTokens(24).outputTokens(12).build()));
        return n;
    }

    /** A ledger that records nothing: {@link #limitsAndBudget} measures the policy, not a store. */
    static final class NoLedger implements GovernanceStore {
        final LongAdder recorded = new LongAdder();

        @Override
        public void recordSpend(List<SpendEntry> entries) {
            recorded.add(entries.size());
        }

        @Override
        public void createTeam(Team team) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Team> team(String id) {
            return Optional.empty();
        }

        @Override
        public List<Team> teams() {
            return List.of();
        }

        @Override
        public boolean updateTeam(Team team) {
            return false;
        }

        @Override
        public boolean deleteTeam(String id) {
            return false;
        }

        @Override
        public void createKey(VirtualKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<VirtualKey> key(String id) {
            return Optional.empty();
        }

        @Override
        public Optional<VirtualKey> keyByHash(String hash) {
            return Optional.empty();
        }

        @Override
        public List<VirtualKey> keys() {
            return List.of();
        }

        @Override
        public boolean updateKey(VirtualKey key) {
            return false;
        }

        @Override
        public List<SpendQuery.Row> spend(SpendQuery query) {
            return List.of();
        }

        @Override
        public long keySpentMicros(String keyId, Instant from) {
            return 0;
        }

        @Override
        public long teamSpentMicros(String teamId, Instant from) {
            return 0;
        }

        @Override
        public void close() {}
    }
}
