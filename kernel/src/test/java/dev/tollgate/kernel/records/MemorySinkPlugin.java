package dev.tollgate.kernel.records;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.LogSinkFactory;
import java.util.List;
import java.util.Map;

/** An in-code plugin whose log sink factory {@code name} hands the gateway the test's own sink. */
public final class MemorySinkPlugin implements TollgatePlugin {

    private final String name;
    private final LogSink sink;

    private MemorySinkPlugin(String name, LogSink sink) {
        this.name = name;
        this.sink = sink;
    }

    /** The plugin under id {@code <name>-sink}, for {@code KernelHarness}'s in-code plugins. */
    public static Map<String, TollgatePlugin> of(String name, LogSink sink) {
        return Map.of(name + "-sink", new MemorySinkPlugin(name, sink));
    }

    @Override
    public List<LogSinkFactory> logSinks() {
        return List.of(new LogSinkFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public LogSink create(PluginConfig config, PluginContext context) {
                return sink;
            }
        });
    }
}
