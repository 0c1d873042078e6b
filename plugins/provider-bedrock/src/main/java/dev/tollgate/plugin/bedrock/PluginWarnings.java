package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.metrics.Metrics;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a translation lost or did not understand (a new stop reason, a field OpenAI clients cannot
 * carry, thinking left off by a rule) is counted always and logged once per kind, never dropped silently.
 */
final class PluginWarnings implements Warnings {

    private static final int MAX_LOGGED = 256;

    private final System.Logger logger;
    private final Metrics.Counter counter;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    private PluginWarnings(System.Logger logger, Metrics.Counter counter) {
        this.logger = logger;
        this.counter = counter;
    }

    static PluginWarnings of(PluginContext context) {
        Metrics.Counter counter;
        try {
            counter = context.metrics().counter("translation_warnings_total", "translations that lost or did not understand something");
        } catch (UnsupportedOperationException e) {
            counter = null;
        }
        return new PluginWarnings(context.logger(), counter);
    }

    @Override
    public void unknown(String what, String value) {
        if (counter != null) {
            counter.increment();
        }
        String key = what + ": " + value;
        if (logged.size() < MAX_LOGGED && logged.add(key)) {
            logger.log(System.Logger.Level.WARNING, "translation: " + key + " (logged once, counted in translation_warnings_total)");
        }
    }
}
