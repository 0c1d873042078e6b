package dev.tollgate.plugin.otlp;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.LogSinkFactory;
import java.util.Set;

/** Binds the {@code otlp} configuration. A collector that is down at start fails writes, not the start. */
final class OtlpSinkFactory implements LogSinkFactory {

    static final String NAME = "otlp";

    @Override
    public String name() {
        return NAME;
    }

    /** The kernel accepts only a reference for {@code authorization} and never shows its value. */
    @Override
    public Set<String> secretKeys() {
        return Set.of(OtlpSinkConfig.AUTHORIZATION);
    }

    @Override
    public LogSink create(PluginConfig config, PluginContext context) {
        return OtlpSink.start(OtlpSinkConfig.from(config), context.metrics(), context.logger());
    }
}
