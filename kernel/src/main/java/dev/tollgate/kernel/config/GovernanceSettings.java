package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.store.Limits;
import dev.tollgate.kernel.governance.limits.OnStateOutage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code governance} section: where keys, teams and spend are kept, and how limits and budgets
 * are counted.
 *
 * @param dataDir             folder of the embedded store ({@code governance.db})
 * @param powerLossSafe       every commit synced to disk ({@code durability: power_loss}), not only
 *                            safe against a crash of the process
 * @param timeZone            zone the budget periods are aligned to (a day from local midnight)
 * @param allowUnpriced       admit a budget-governed principal to a model without prices (its cost unknown)
 * @param reservationLease    how long a request's holds live without being settled
 * @param defaultOutputTokens the output estimate of a request without {@code max_tokens} whose model has no output limit
 * @param modelLimits         limits of each client-facing model, for every caller together
 * @param refreshInterval     how often keys and teams are reloaded from the store whatever was announced
 * @param onStateOutage       per concern (rate limits, budgets), admit unenforced or refuse while the state backend is unreachable
 * @param endUserLimits       limits of each end user (a request's {@code user} field) under each key
 * @param store               the plugin store of keys, teams and spend ({@code store: {backend, config}}), or {@code null}
 *                            for the embedded store in {@code dataDir}
 */
public record GovernanceSettings(Path dataDir, boolean powerLossSafe, ZoneId timeZone, boolean allowUnpriced,
        Duration reservationLease, int defaultOutputTokens, Map<String, Limits> modelLimits, Duration refreshInterval,
        OnStateOutage onStateOutage, Limits endUserLimits, ComponentSettings store) {

    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(15);
    public static final int DEFAULT_OUTPUT_TOKENS = 4096;
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);

    public GovernanceSettings {
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(timeZone, "timeZone is null");
        requireNonNull(reservationLease, "reservationLease is null");
        requireNonNull(refreshInterval, "refreshInterval is null");
        requireNonNull(onStateOutage, "onStateOutage is null");
        requireNonNull(endUserLimits, "endUserLimits is null");
        modelLimits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(modelLimits, "modelLimits is null")));
    }

    /** Settings with the default outage behaviour ({@link OnStateOutage#DEFAULTS}). */
    public GovernanceSettings(Path dataDir, boolean powerLossSafe, ZoneId timeZone, boolean allowUnpriced, Duration reservationLease,
            int defaultOutputTokens, Map<String, Limits> modelLimits, Duration refreshInterval) {
        this(dataDir, powerLossSafe, timeZone, allowUnpriced, reservationLease, defaultOutputTokens, modelLimits, refreshInterval,
                OnStateOutage.DEFAULTS, Limits.NONE, null);
    }

    public static GovernanceSettings defaults(Path dataDir) {
        return new GovernanceSettings(dataDir, false, ZoneId.of("UTC"), false, DEFAULT_LEASE, DEFAULT_OUTPUT_TOKENS, Map.of(),
                DEFAULT_REFRESH, OnStateOutage.DEFAULTS, Limits.NONE, null);
    }

    /** Whether keys, teams and spend live in a plugin's store rather than the embedded one. */
    public boolean pluginStore() {
        return store != null;
    }

    public GovernanceSettings withDataDir(Path dir) {
        return new GovernanceSettings(dir, powerLossSafe, timeZone, allowUnpriced, reservationLease, defaultOutputTokens, modelLimits,
                refreshInterval, onStateOutage, endUserLimits, store);
    }
}
