package dev.tollgate.plugin.jsonl;

import dev.tollgate.spi.PluginContext;
import java.nio.file.Path;
import java.time.Clock;

/** The little of a plugin context the sink uses: the clock and the data folder. */
final class TestContext implements PluginContext {

    private final Clock clock;
    private final Path dataDir;

    TestContext(Clock clock, Path dataDir) {
        this.clock = clock;
        this.dataDir = dataDir;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public String pluginId() {
        return "sink-jsonl";
    }
}
