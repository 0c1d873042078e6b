package dev.tollgate.kernel;

import dev.tollgate.kernel.catalog.KernelModelCatalog;
import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.ComponentSettings;
import dev.tollgate.kernel.config.DeploymentSettings;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.ModelSettings;
import dev.tollgate.kernel.codec.TranslationWarnings;
import dev.tollgate.kernel.governance.Governance;
import dev.tollgate.kernel.governance.limits.GovernancePolicy;
import dev.tollgate.kernel.governance.limits.ModelPricing;
import dev.tollgate.kernel.metrics.KernelMetrics;
import dev.tollgate.kernel.pipeline.Deployment;
import dev.tollgate.kernel.pipeline.Model;
import dev.tollgate.kernel.pipeline.Pipeline;
import dev.tollgate.kernel.pipeline.PolicyChain;
import dev.tollgate.kernel.pipeline.RequestMetrics;
import dev.tollgate.kernel.plugin.ClassLoaderSafeEmbeddings;
import dev.tollgate.kernel.plugin.ClassLoaderSafeLogSink;
import dev.tollgate.kernel.records.RecordPipeline;
import dev.tollgate.kernel.plugin.ClassLoaderSafeProviderAdapter;
import dev.tollgate.kernel.plugin.ClassLoaderSafeRequestPolicy;
import dev.tollgate.kernel.plugin.ContextClassLoader;
import dev.tollgate.kernel.plugin.KernelPluginContext;
import dev.tollgate.kernel.plugin.PluginHost;
import dev.tollgate.kernel.plugin.Registries;
import dev.tollgate.kernel.plugin.Registry;
import dev.tollgate.kernel.server.GatewayServer;
import dev.tollgate.kernel.state.InProcessStateBackend;
import dev.tollgate.kernel.plugin.ClassLoaderSafeStateBackend;
import dev.tollgate.kernel.time.XnioScheduler;
import dev.tollgate.kernel.upstream.UpstreamClient;
import dev.tollgate.spi.ComponentFactory;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.time.Ticker;
import java.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * A running gateway: plugins loaded, components created from the configuration, the server
 * listening. {@link #drain} then {@link #close} is the graceful shutdown.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    public static final String SPI_VERSION = property("dev/tollgate/spi/spi.properties", "spi.version");
    public static final String VERSION = property("dev/tollgate/kernel/version.properties", "version");
    /**
     * Idle keep-alive connections kept per I/O thread and upstream origin. Under S2 with 500
     * connections a cap of 64 closed and reopened most connections on every request (233 µs of
     * CPU per request instead of ~80); idle ones still close after 30 s.
     */
    private static final int MAX_IDLE_PER_ORIGIN = 1024;

    private final PluginHost plugins;
    private final XnioWorker worker;
    private final UpstreamClient upstream;
    private final ExecutorService blocking;
    private final GatewayServer server;
    private final List<AutoCloseable> components;
    private final Pipeline pipeline;
    private final Governance governance;

    private Gateway(PluginHost plugins, XnioWorker worker, UpstreamClient upstream, ExecutorService blocking,
            GatewayServer server, List<AutoCloseable> components, Pipeline pipeline, Governance governance) {
        this.governance = governance;
        this.plugins = plugins;
        this.worker = worker;
        this.upstream = upstream;
        this.blocking = blocking;
        this.server = server;
        this.components = components;
        this.pipeline = pipeline;
    }

    public static Gateway start(GatewayConfig config, ConfigLoader loader) {
        return start(config, loader, Map.of());
    }

    /**
     * Starts a gateway. {@code inCodePlugins} (id to plugin) are registered beside the ones loaded
     * from the plugins folder, with the kernel's class loader: tests and embedders use them.
     */
    public static Gateway start(GatewayConfig config, ConfigLoader loader, Map<String, TollgatePlugin> inCodePlugins) {
        return start(config, loader, inCodePlugins, Ticker.system(), Clock.systemUTC(), null);
    }

    /**
     * Starts a gateway on the given time sources. {@code scheduler} drives every kernel and plugin
     * timer of a request ({@code null}: XNIO's timers on {@code ticker}); tests pass a manual
     * ticker and scheduler together to test timeouts without sleeping.
     */
    public static Gateway start(GatewayConfig config, ConfigLoader loader, Map<String, TollgatePlugin> inCodePlugins, Ticker ticker,
            Clock clock, dev.tollgate.kernel.time.Scheduler scheduler) {
        Registries registries = new Registries();
        List<String> fromFolder = new ArrayList<>(config.plugins());
        fromFolder.removeAll(inCodePlugins.keySet());
        PluginHost host = PluginHost.start(config.pluginsDirectory(), fromFolder, SPI_VERSION, registries);
        Map<String, ClassLoader> loaders = new HashMap<>();
        host.loaded().forEach(p -> loaders.put(p.id(), p.loader()));
        inCodePlugins.forEach((id, plugin) -> {
            ClassLoader l = plugin.getClass().getClassLoader();
            registries.registerAll(id, l, plugin);
            loaders.put(id, l);
        });

        XnioWorker worker = null;
        ExecutorService blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tollgate-blocking-", 0).factory());
        List<AutoCloseable> components = new ArrayList<>();
        try {
            int ioThreads = config.server().ioThreads() > 0 ? config.server().ioThreads() : Runtime.getRuntime().availableProcessors();
            worker = createWorker(ioThreads);
            UpstreamClient upstream = new UpstreamClient(worker, null, MAX_IDLE_PER_ORIGIN, 30_000, config.upstream());
            KernelMetrics kernelMetrics = new KernelMetrics();
            processGauges(kernelMetrics, upstream);
            InProcessStateBackend inProcess = InProcessStateBackend.withSweep(blocking, ticker, Duration.ofSeconds(10));
            components.add(inProcess);
            Map<String, KernelPluginContext> contexts = new HashMap<>();
            ExecutorService offload = blocking;
            KernelModelCatalog catalog = KernelModelCatalog.load(config);
            dev.tollgate.spi.state.StateBackend sharedState = null;
            ClassLoader sharedLoader = null;
            if (config.state() != null) {
                // the backend plugin's own context sees the in-process state: it cannot use what it is building
                Registry.Registered<dev.tollgate.spi.state.StateBackendFactory> f =
                        registries.stateBackends.get(config.state().name(), "state.backend");
                KernelPluginContext own = new KernelPluginContext(f.pluginId(), SPI_VERSION, f.loader(), kernelMetrics, upstream,
                        inProcess, catalog, offload, ticker, clock);
                dev.tollgate.spi.state.StateBackend shared = create(f, config.state().configPath(), config.state().config(), loader, own);
                components.add(shared);
                sharedState = shared;
                sharedLoader = f.loader();
                log.info("shared state: backend {} of plugin {}", config.state().name(), f.pluginId());
            }
            // each plugin's view runs its subscribers with its own loader; the kernel's with the kernel's
            final dev.tollgate.spi.state.StateBackend backend = sharedState;
            final ClassLoader backendLoader = sharedLoader;
            java.util.function.Function<ClassLoader, dev.tollgate.spi.state.StateBackend> stateFor = user -> backend == null ? inProcess
                    : new ClassLoaderSafeStateBackend(backend, backendLoader, user);
            dev.tollgate.spi.state.StateBackend state = stateFor.apply(Gateway.class.getClassLoader());
            java.nio.file.Path dataDir = config.governance().dataDir();
            loaders.forEach((id, l) -> contexts.put(id, new KernelPluginContext(id, SPI_VERSION, l, kernelMetrics, upstream, stateFor.apply(l),
                    catalog, offload, ticker, clock, dataDir)));

            Map<String, Model> models = new LinkedHashMap<>();
            for (ModelSettings m : config.models().values()) {
                List<Deployment> deployments = new ArrayList<>();
                for (int i = 0; i < m.deployments().size(); i++) {
                    deployments.add(deployment(m.name(), m.deployments().get(i), "models." + m.name() + ".deployments[" + i + "].provider",
                            registries, loader, contexts, components, catalog, ticker));
                }
                models.put(m.name(), new Model(m.name(), deployments, routing(m, registries, loader, contexts, components)));
            }
            linkFallbacks(config, models);
            if (config.state() != null) {
                // circuits opened here open on the other instances too, and theirs here
                List<Deployment> all = new ArrayList<>();
                models.values().forEach(m -> all.addAll(m.deployments()));
                components.add(dev.tollgate.kernel.pipeline.CircuitSharing.start(state, all, ticker, clock));
            }
            Governance governance = Governance.start(config, clock, pluginStore(config, registries, loader, contexts), kernelMetrics);
            components.add(governance);
            dev.tollgate.kernel.responses.ResponseState responseState = responseState(config, governance, clock, blocking, kernelMetrics,
                    components);
            List<PolicyChain.Entry> policies = new ArrayList<>();
            governance.shareChanges(state, blocking, config.governance().refreshInterval());
            // Built in, first: authentication, then rate limits and budgets.
            governance.authenticationPolicy().ifPresent(policies::add);
            if (governance.authenticationPolicy().isPresent() || !config.governance().modelLimits().isEmpty()) {
                policies.add(governancePolicy(config, governance, state, models, clock, blocking, kernelMetrics, components));
            }
            for (int i = 0; i < config.policies().size(); i++) {
                ComponentSettings p = config.policies().get(i);
                Registry.Registered<dev.tollgate.spi.policy.RequestPolicyFactory> f =
                        registries.requestPolicies.get(p.name(), "policies[" + i + "].name");
                RequestPolicy policy = create(f, p.configPath(), p.config(), loader, contexts.get(f.pluginId()));
                components.add(policy);
                policies.add(new PolicyChain.Entry(p.name(), new ClassLoaderSafeRequestPolicy(policy, f.loader())));
            }

            Map<String, ClassLoaderSafeLogSink> sinks = new LinkedHashMap<>();
            RecordPipeline records = records(config, registries, loader, contexts, sinks);
            components.add(0, records);
            String usageFrom = config.logging().usageFrom();
            if (usageFrom != null) {
                governance.admin().usageFrom(usageFrom, sinks.get(usageFrom).reports().orElseThrow(() -> new ConfigException(
                        "logging.usage_from: the sink '" + usageFrom + "' cannot answer usage reports (sink-clickhouse can)")));
            }
            RequestMetrics requestMetrics = new RequestMetrics(kernelMetrics, models.keySet());
            TranslationWarnings warnings = new TranslationWarnings();
            dev.tollgate.kernel.cache.ResponseCache cache = responseCache(config, registries, loader, contexts, clock, kernelMetrics);
            if (cache != null) {
                components.add(cache);
            }
            Pipeline pipeline = new Pipeline(new PolicyChain(policies), upstream, requestMetrics,
                    scheduler != null ? scheduler : new XnioScheduler(worker, ticker), ticker, clock,
                    config.server().admissionTimeout(), warnings, records, config.logging().startTraces(), config.logging().bodies(),
                    cache);
            GatewayServer server = GatewayServer.start(config.server(), worker, models, pipeline, kernelMetrics,
                    () -> requestMetrics.prometheus() + records.prometheus() + kernelMetrics.prometheus(), governance, blocking,
                    responseState);
            log.info("Tollgate {} listening on http://{}:{} with models {}, configuration {}", VERSION, config.server().host(),
                    server.port(), models.keySet(), config.source() == null ? "built in code" : config.source().toAbsolutePath());
            return new Gateway(host, worker, upstream, blocking, server, components, pipeline, governance);
        } catch (RuntimeException e) {
            components.forEach(Gateway::closeQuietly);
            if (worker != null) {
                worker.shutdownNow();
            }
            blocking.shutdownNow();
            host.close();
            throw e;
        }
    }

    /**
     * Stored OpenAI Responses on the governance store's {@code responses()}, with the periodic purge
     * of expired ones; with {@code responses.store: off}, a state that stores nothing.
     *
     * @throws ConfigException when responses are to be stored but the governance store keeps none
     */
    private static dev.tollgate.kernel.responses.ResponseState responseState(GatewayConfig config, Governance governance, Clock clock,
            ExecutorService blocking, KernelMetrics metrics, List<AutoCloseable> components) {
        var settings = config.responses();
        dev.tollgate.spi.store.ResponseStore store = null;
        if (settings.store()) {
            store = governance.store().responses().orElseThrow(() -> new ConfigException("responses.store is on, but the governance "
                    + "store (" + (config.governance().store() == null ? "embedded" : config.governance().store().name()) + ") keeps no responses: use a store that does (the embedded "
                    + "one, postgres) or set responses.store: off"));
        }
        var state = new dev.tollgate.kernel.responses.ResponseState(settings, store, clock, blocking, metrics,
                config.server().maxRequestBytes());
        if (settings.store()) {
            java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tollgate-responses-purge");
                t.setDaemon(true);
                return t;
            });
            var purge = dev.tollgate.kernel.responses.ResponsePurge.start(state, settings.purgeInterval(),
                    (delay, task) -> timer.schedule(task, delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS), blocking);
            components.add(() -> {
                purge.close();
                timer.shutdownNow();
            });
        }
        return state;
    }

    /** Gauges of the process: threads, heap, resident memory, upstream connections. */
    private static void processGauges(KernelMetrics metrics, UpstreamClient upstream) {
        metrics.gauge("tollgate_upstream_connections", "Open upstream connections", upstream::openConnections);
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        metrics.gauge("tollgate_jvm_threads_live", "Live threads of the JVM", threads::getThreadCount);
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        metrics.gauge("tollgate_jvm_heap_used_bytes", "Heap in use", () -> memory.getHeapMemoryUsage().getUsed());
        java.nio.file.Path statm = java.nio.file.Path.of("/proc/self/statm");
        if (java.nio.file.Files.isReadable(statm)) {
            metrics.gauge("tollgate_process_resident_memory_bytes", "Resident set size of the process (Linux)", () -> {
                try {
                    String[] f = java.nio.file.Files.readString(statm).trim().split(" ");
                    return Long.parseLong(f[1]) * 4096;
                } catch (IOException | RuntimeException e) {
                    return -1;
                }
            });
        }
    }

    /** The response cache over the configured tiers, local first; null when {@code cache.tiers} names none. */
    private static dev.tollgate.kernel.cache.ResponseCache responseCache(GatewayConfig config, Registries registries,
            ConfigLoader loader, Map<String, KernelPluginContext> contexts, Clock clock, KernelMetrics metrics) {
        var c = config.cache();
        if (!c.configured()) {
            return null;
        }
        List<dev.tollgate.kernel.cache.ResponseCache.Tier> tiers = new ArrayList<>();
        try {
            for (int i = 0; i < c.tiers().size(); i++) {
                var t = c.tiers().get(i);
                Registry.Registered<dev.tollgate.spi.cache.CacheBackendFactory> f =
                        registries.cacheBackends.get(t.component().name(), "cache.tiers[" + i + "].name");
                dev.tollgate.spi.cache.CacheBackend backend = create(f, t.component().configPath(), t.component().config(), loader,
                        contexts.get(f.pluginId()));
                tiers.add(new dev.tollgate.kernel.cache.ResponseCache.Tier(t.component().name(),
                        new dev.tollgate.kernel.plugin.ClassLoaderSafeCacheBackend(backend, f.loader()), t.timeout()));
            }
        } catch (RuntimeException e) {
            tiers.forEach(t -> closeQuietly(t.backend()));
            throw e;
        }
        Map<String, dev.tollgate.kernel.config.CacheSettings.ModelCacheSettings> perModel = new HashMap<>();
        config.models().values().forEach(m -> perModel.put(m.name(), m.cache().over(c.defaults())));
        log.info("response cache: tiers {}, models caching {}", tiers.stream().map(t -> t.name()).toList(),
                perModel.entrySet().stream().filter(e -> Boolean.TRUE.equals(e.getValue().enabled())).map(Map.Entry::getKey).sorted()
                        .toList());
        return (new dev.tollgate.kernel.cache.ResponseCache(tiers, c.defaults(), perModel, c.maxTtl(), c.maxEntryBytes(), c.coalesce(),
                c.coalesceTimeout(), clock, metrics)).withKeys(c.keys());
    }

    /** The configured log sinks, each behind its own queue and spill under {@code <data>/spill/}. */
    private static RecordPipeline records(GatewayConfig config, Registries registries, ConfigLoader loader,
            Map<String, KernelPluginContext> contexts, Map<String, ClassLoaderSafeLogSink> built) {
        var logging = config.logging();
        if (logging.sinks().isEmpty()) {
            return RecordPipeline.none();
        }
        List<RecordPipeline.Sink> sinks = new ArrayList<>();
        try {
            for (int i = 0; i < logging.sinks().size(); i++) {
                var s = logging.sinks().get(i);
                Registry.Registered<dev.tollgate.spi.sink.LogSinkFactory> f =
                        registries.logSinks.get(s.component().name(), "logging.sinks[" + i + "].name");
                dev.tollgate.spi.sink.LogSink sink = create(f, s.component().configPath(), s.component().config(), loader,
                        contexts.get(f.pluginId()));
                ClassLoaderSafeLogSink safe = new ClassLoaderSafeLogSink(sink, f.loader());
                built.put(s.id(), safe);
                sinks.add(new RecordPipeline.Sink(s.id(), safe, RecordPipeline.settings(s)));
            }
            RecordPipeline p = RecordPipeline.start(sinks, config.governance().dataDir().resolve("spill"), logging.flushGrace());
            log.info("request records go to {}", logging.sinks().stream().map(s -> s.id()).toList());
            return p;
        } catch (RuntimeException e) {
            sinks.forEach(s -> closeQuietly(s.sink()));
            throw e;
        }
    }

    /** The store named by {@code governance.store.backend}, or {@code null} for the embedded one. */
    private static dev.tollgate.spi.store.GovernanceStore pluginStore(GatewayConfig config, Registries registries, ConfigLoader loader,
            Map<String, KernelPluginContext> contexts) {
        ComponentSettings s = config.governance().store();
        if (s == null) {
            return null;
        }
        Registry.Registered<dev.tollgate.spi.store.GovernanceStoreFactory> f =
                registries.governanceStores.get(s.name(), "governance.store.backend");
        dev.tollgate.spi.store.GovernanceStore store = create(f, s.configPath(), s.config(), loader, contexts.get(f.pluginId()));
        log.info("governance store: backend {} of plugin {}", s.name(), f.pluginId());
        return new dev.tollgate.kernel.plugin.ClassLoaderSafeGovernanceStore(store, f.loader());
    }

    /**
     * The built-in limits and budgets policy: a model's worst-case prices are the highest of its
     * deployments'. Its budgets are seeded from the ledger before the gateway serves.
     */
    private static PolicyChain.Entry governancePolicy(GatewayConfig config, Governance governance,
            dev.tollgate.spi.state.StateBackend state, Map<String, Model> models, Clock clock, ExecutorService blocking,
            KernelMetrics metrics, List<AutoCloseable> components) {
        // a request may end on any deployment of its model or of the models it falls back to: its worst case is the dearest
        // of them all, so the reservation made at admission covers a fallback to a dearer model too
        Map<String, List<dev.tollgate.spi.catalog.ModelInfo>> infos = new LinkedHashMap<>();
        for (ModelSettings ms : config.models().values()) {
            List<Deployment> reachable = new ArrayList<>(models.get(ms.name()).deployments());
            for (var f : ms.routing().fallbacks()) {
                reachable.addAll(models.get(f.model()).deployments());
            }
            infos.put(ms.name(), reachable.stream().map(d -> d.modelInfo()
                    .orElseGet(() -> dev.tollgate.spi.catalog.ModelInfo.builder(d.model()).build())).toList());
        }
        var g = config.governance();
        GovernancePolicy policy = new GovernancePolicy(governance.directory(), state, ModelPricing.worstOf(infos), g.modelLimits(),
                clock, g.timeZone(), governance.store(), blocking,
                new GovernancePolicy.Options(g.reservationLease(), g.allowUnpriced(), g.defaultOutputTokens(), g.onStateOutage(),
                        g.endUserLimits()), metrics);
        int seeded = policy.seedBudgets();
        if (seeded > 0) {
            log.info("restored this period's spend of {} budgets from the ledger", seeded);
        }
        if (config.state() != null) {
            // a shared state that lost its data (a Redis restarted without persistence) would else start every budget at 0;
            // in-process counters cannot be lost without the process

            var reseeder = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tollgate-budget-reseed");
                t.setDaemon(true);
                return t;
            });
            long every = g.refreshInterval().toMillis();
            reseeder.scheduleWithFixedDelay(() -> {
                try {
                    int n = policy.seedBudgets();
                    if (n > 0) {
                        log.warn("the shared state had lost the spend of {} budgets; restored it from the ledger", n);
                    }
                } catch (RuntimeException e) {
                    log.warn("could not compare budget counters with the ledger: {}", e.toString());
                }
            }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
            components.add(reseeder::shutdownNow);
        }
        return new PolicyChain.Entry(GovernancePolicy.NAME, policy);
    }

    private static XnioWorker createWorker(int ioThreads) {
        try {
            return Xnio.getInstance(Gateway.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_NAME, "tollgate")
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.WORKER_TASK_CORE_THREADS, 2)
                    .set(Options.WORKER_TASK_MAX_THREADS, 8)
                    .set(Options.TCP_NODELAY, true)
                    .getMap());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the I/O threads", e);
        }
    }

    /**
     * A model's routing: its strategy (the built-in {@code weighted} unless a plugin's is named; one
     * instance per model, so a strategy's state is the model's), wait and disconnect policy.
     */
    private static dev.tollgate.kernel.pipeline.ModelRouting routing(ModelSettings m, Registries registries, ConfigLoader loader,
            Map<String, KernelPluginContext> contexts, List<AutoCloseable> components) {
        var r = m.routing();
        dev.tollgate.spi.routing.RoutingStrategy strategy = dev.tollgate.kernel.pipeline.WeightedRandom.INSTANCE;
        ComponentSettings s = r.strategy();
        if (s != null && !(s.name().equals(dev.tollgate.kernel.pipeline.WeightedRandom.NAME)
                && !registries.routingStrategies.all().containsKey(s.name()))) {
            Registry.Registered<dev.tollgate.spi.routing.RoutingStrategyFactory> f =
                    registries.routingStrategies.get(s.name(), "models." + m.name() + ".routing");
            dev.tollgate.spi.routing.RoutingStrategy created = create(f, s.configPath(), s.config(), loader, contexts.get(f.pluginId()));
            if (created instanceof AutoCloseable c) {
                components.add(c);
            }
            strategy = new dev.tollgate.kernel.plugin.ClassLoaderSafeRoutingStrategy(created, f.loader());
        } else if (s != null && !s.config().isEmpty()) {
            throw new ConfigException("models." + m.name() + ".routing: the built-in weighted strategy takes no config");
        }
        return new dev.tollgate.kernel.pipeline.ModelRouting(strategy, r.cooldownWait(), r.onDisconnect());
    }

    /** Each model's fallbacks must name other configured models. */
    private static void linkFallbacks(GatewayConfig config, Map<String, Model> models) {
        for (ModelSettings m : config.models().values()) {
            List<Model> targets = new ArrayList<>();
            List<java.util.Set<String>> on = new ArrayList<>();
            var fallbacks = m.routing().fallbacks();
            for (int i = 0; i < fallbacks.size(); i++) {
                var f = fallbacks.get(i);
                Model target = models.get(f.model());
                if (target == null || f.model().equals(m.name())) {
                    throw new ConfigException("models." + m.name() + ".fallbacks[" + i + "].model: '" + f.model() + "' is "
                            + (target == null ? "not a configured model; configured: " + models.keySet() : "the model itself"));
                }
                targets.add(target);
                on.add(f.on());
            }
            models.get(m.name()).routing().link(targets, on);
        }
    }

    private static Deployment deployment(String model, DeploymentSettings d, String providerKey, Registries registries,
            ConfigLoader loader, Map<String, KernelPluginContext> contexts, List<AutoCloseable> components, KernelModelCatalog catalog,
            Ticker ticker) {
        Registry.Registered<dev.tollgate.spi.provider.ProviderFactory> f = registries.providers.get(d.provider(), providerKey);
        ProviderAdapter adapter = create(f, d.configPath(), d.config(), loader, contexts.get(f.pluginId()));
        components.add(adapter);
        SupportsEmbeddings embeddings = adapter instanceof SupportsEmbeddings e ? new ClassLoaderSafeEmbeddings(e, f.loader()) : null;
        return new Deployment(d.id(), model, d.provider(), d.upstreamModel(), d.weight(),
                new Deployment.Timeouts(d.ttftTimeout(), d.streamIdleTimeout(), d.timeout()),
                new ClassLoaderSafeProviderAdapter(adapter, f.loader()), embeddings, f.loader(),
                catalog.effectiveInfo(d.id()).orElse(null), d.tier(), d.retry(), d.circuit(), ticker);
    }

    /** Creates a component; the kernel itself refuses keys the factory did not read. */
    private static <T> T create(Registry.Registered<? extends ComponentFactory<T>> f, String path, Map<String, Object> raw,
            ConfigLoader loader, KernelPluginContext context) {
        ComponentFactory<T> factory = f.factory();
        var secrets = ContextClassLoader.call(f.loader(), factory::secretKeys);
        PluginConfig config = loader.componentConfig(path, raw, secrets);
        T component;
        try {
            component = ContextClassLoader.call(f.loader(), () -> factory.create(config, context));
        } catch (ConfigException e) {
            throw loader.showReferences(e);
        }
        if (component == null) {
            throw new IllegalStateException("factory " + factory.name() + " of plugin " + f.pluginId() + " returned null");
        }
        config.requireAllRead();
        return component;
    }

    public int port() {
        return server.port();
    }

    /** Keys, teams, spend and the admin API of this gateway. */
    /** Where lossy translations are counted (for tests: a translation made twice counts twice). */
    dev.tollgate.kernel.codec.TranslationWarnings translationWarnings() {
        return pipeline.warnings();
    }

    public Governance governance() {
        return governance;
    }

    public long inFlight() {
        return server.inFlight();
    }

    /**
     * Graceful drain: readiness turns false, the listener stops accepting, new requests on open
     * connections get 503, and this waits up to {@code grace} for requests in flight (streams
     * included) to finish. Returns whether everything finished in time.
     */
    public boolean drain(Duration grace) throws InterruptedException {
        boolean drained = server.drain(grace);
        if (!drained) {
            pipeline.shutDownLive();
            server.awaitIdle(Duration.ofSeconds(1));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (pipeline.policies().pendingSettlements() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return drained;
    }

    @Override
    public void close() {
        server.stop();
        upstream.close();
        components.forEach(Gateway::closeQuietly);
        blocking.shutdownNow();
        worker.shutdown();
        plugins.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {} failed", c, e);
        }
    }

    private static String property(String resource, String key) {
        try (InputStream in = Gateway.class.getClassLoader().getResourceAsStream(resource)) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty(key, "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
