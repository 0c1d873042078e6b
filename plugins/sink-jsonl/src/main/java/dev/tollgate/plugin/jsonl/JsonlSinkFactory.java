package dev.tollgate.plugin.jsonl;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.LogSinkFactory;

/** Binds the {@code jsonl} configuration. A folder that cannot be written fails writes, not the start. */
final class JsonlSinkFactory implements LogSinkFactory {

    static final String NAME = "jsonl";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LogSink create(PluginConfig config, PluginContext context) {
        return new JsonlSink(JsonlSinkConfig.from(config, context.dataDir()), context.clock(), context.logger());
    }
}
