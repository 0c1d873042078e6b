package dev.tollgate.plugin.clickhouse;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.sink.LogSinkFactory;
import java.util.List;

/** Contributes the {@code clickhouse} log sink: request records inserted into a ClickHouse table. */
public final class ClickHouseSinkPlugin implements TollgatePlugin {

    public ClickHouseSinkPlugin() {}

    @Override
    public List<LogSinkFactory> logSinks() {
        return List.of(new ClickHouseSinkFactory());
    }
}
