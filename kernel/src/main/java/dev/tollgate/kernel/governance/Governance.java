package dev.tollgate.kernel.governance;

import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.kernel.governance.store.BatchingSpendStore;
import dev.tollgate.kernel.governance.store.Durability;
import dev.tollgate.kernel.governance.store.EmbeddedGovernanceStore;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.ServerSettings;
import dev.tollgate.kernel.governance.admin.AdminApi;
import dev.tollgate.kernel.governance.auth.Authenticator;
import dev.tollgate.kernel.governance.auth.KeyAuthenticationPolicy;
import dev.tollgate.kernel.governance.auth.MasterKey;
import dev.tollgate.kernel.pipeline.PolicyChain;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.metrics.Metrics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The governance of a running gateway: the store, the directory snapshot the request path reads,
 * the authentication policy and the admin API, built from the {@code admin} and {@code server}
 * sections.
 *
 * <p>Who may call {@code /v1}: with a master key, only requests with a virtual key or the master
 * key; without one, anyone, and so only on a loopback address; {@code server.auth: none} opens
 * {@code /v1} whatever the address and the master key (the admin API still needs the key).
 */
public final class Governance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Governance.class);

    private final GovernanceStore store;
    private final GovernanceDirectory directory;
    private final Authenticator authenticator;
    private final AdminApi admin;
    private final boolean keysPossible;

    private Governance(GovernanceStore store, GovernanceDirectory directory, Authenticator authenticator, AdminApi admin,
            boolean keysPossible) {
        this.store = store;
        this.directory = directory;
        this.authenticator = authenticator;
        this.admin = admin;
        this.keysPossible = keysPossible;
    }

    /**
     * The store of keys, teams and spend for {@code config}: {@code pluginStore} when the
     * configuration names a plugin's store ({@code governance.store.backend}), else the embedded one.
     * Either is wrapped in a {@link BatchingSpendStore}, so settled spend is written in batches and
     * retried through a short outage. The one place a store implementation is chosen.
     */
    public static GovernanceStore openStore(GatewayConfig config, GovernanceStore pluginStore, Metrics metrics) {
        GovernanceStore raw = pluginStore != null ? pluginStore
                : EmbeddedGovernanceStore.open(config.governance().dataDir(),
                        config.governance().powerLossSafe() ? Durability.POWER_LOSS : Durability.PROCESS_CRASH);
        return new BatchingSpendStore(raw, BatchingSpendStore.Retry.DEFAULT, metrics);
    }

    /**
     * Checks who may call, opens the store and loads the directory from it (blocking).
     *
     * @throws ConfigException when the listener is not loopback, no master key is set and
     *                         {@code server.auth} is not {@code none}
     */
    public static Governance start(GatewayConfig config, Clock clock) {
        return start(config, clock, null, new dev.tollgate.kernel.metrics.KernelMetrics());
    }

    /**
     * As {@link #start(GatewayConfig, Clock)}, on {@code pluginStore} (created from
     * {@code governance.store}) or, when it is {@code null}, the embedded store; {@code metrics}
     * gets the ledger writer's counters. {@code pluginStore} is closed with this governance, or when
     * the start fails.
     */
    public static Governance start(GatewayConfig config, Clock clock, GovernanceStore pluginStore, Metrics metrics) {
        ServerSettings server = config.server();
        boolean hasMasterKey = config.admin().hasMasterKey();
        boolean open = server.auth() == ServerSettings.Auth.NONE;
        if (!hasMasterKey && !open && !isLoopback(server.host())) {
            if (pluginStore != null) {
                pluginStore.close();
            }
            throw new ConfigException("server.host " + server.host() + " is reachable from other machines, but admin.master_key "
                    + "is not set, so anyone could call /v1 with this gateway's provider keys. Set admin.master_key (for example "
                    + "master_key: ${env:TOLLGATE_MASTER_KEY}) and create virtual keys through /admin/keys, listen on 127.0.0.1, "
                    + "or set server.auth: none to serve /v1 without keys on purpose");
        }
        if (open) {
            log.warn("server.auth is none: /v1 is served to anyone who can reach {}:{} without a key", server.host(), server.port());
        } else if (!hasMasterKey) {
            log.info("admin.master_key is not set: /v1 is served without keys on the loopback address {}, and the admin API is off",
                    server.host());
        }
        GovernanceStore store;
        try {
            store = openStore(config, pluginStore, metrics);
        } catch (RuntimeException e) {
            if (pluginStore != null) {
                pluginStore.close();
            }
            throw e;
        }
        try {
            GovernanceDirectory directory = new GovernanceDirectory();
            directory.reload(store);
            MasterKey masterKey = MasterKey.of(config.admin().masterKey());
            Authenticator authenticator = new Authenticator(directory, masterKey, hasMasterKey && !open, clock);
            boolean keysPossible = hasMasterKey || !store.keys().isEmpty();
            return new Governance(store, directory, authenticator, new AdminApi(store, directory, masterKey, clock), keysPossible);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The built-in authentication policy; it goes first in the chain, the limits policy right
     * after it. Empty when no request can carry a key (no master key to create one, none stored):
     * a chain without policies keeps the request path's fast lane.
     */
    public Optional<PolicyChain.Entry> authenticationPolicy() {
        return keysPossible ? Optional.of(new PolicyChain.Entry(KeyAuthenticationPolicy.NAME, new KeyAuthenticationPolicy(authenticator)))
                : Optional.empty();
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public AdminApi admin() {
        return admin;
    }

    public GovernanceStore store() {
        return store;
    }

    public GovernanceDirectory directory() {
        return directory;
    }

    /** The channel on which instances announce that keys or teams changed. */
    public static final String CHANGES_CHANNEL = "governance.changes";

    private AutoCloseable subscription;
    private java.util.concurrent.ScheduledExecutorService refresher;

    /**
     * Keeps this instance's directory in step with the others that share its store: every admin
     * change is announced on {@code state} (Redis pub/sub with the state-redis plugin), every
     * announcement reloads the directory on {@code blocking}, and a full reload every
     * {@code refresh} heals a missed message.
     */
    public void shareChanges(dev.tollgate.spi.state.StateBackend state, java.util.concurrent.Executor blocking,
            java.time.Duration refresh) {
        admin.onChange(() -> state.publish(CHANGES_CHANNEL, "changed").exceptionally(e -> {
            log.warn("could not announce a key or team change to other instances ({}); they pick it up within {}",
                    e.getClass().getSimpleName(), refresh);
            return null;
        }));
        subscription = state.subscribe(CHANGES_CHANNEL, message -> blocking.execute(this::reloadQuietly));
        refresher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-governance-refresh");
            t.setDaemon(true);
            return t;
        });
        long millis = refresh.toMillis();
        refresher.scheduleWithFixedDelay(this::reloadQuietly, millis, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void reloadQuietly() {
        try {
            directory.reload(store);
        } catch (RuntimeException e) {
            log.warn("could not reload keys and teams from the store: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("closing the change subscription failed", e);
            }
        }
        store.close();
    }
}
