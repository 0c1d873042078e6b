package dev.tollgate.plugin.clickhouse;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.LogSinkFactory;
import java.util.Set;

/**
 * Binds the {@code clickhouse} configuration and prepares the table. A server that cannot be
 * reached at start does not fail the start: the table is prepared again at the first write.
 */
final class ClickHouseSinkFactory implements LogSinkFactory {

    static final String NAME = "clickhouse";

    @Override
    public String name() {
        return NAME;
    }

    /** Only a reference is accepted for the password, and the kernel never shows its value. */
    @Override
    public Set<String> secretKeys() {
        return Set.of(ClickHouseSinkConfig.PASSWORD);
    }

    @Override
    public LogSink create(PluginConfig config, PluginContext context) {
        return ClickHouseSink.start(ClickHouseSinkConfig.from(config), context.logger());
    }
}
