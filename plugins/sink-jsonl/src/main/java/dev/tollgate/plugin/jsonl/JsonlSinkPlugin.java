package dev.tollgate.plugin.jsonl;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.sink.LogSinkFactory;
import java.util.List;

/** Contributes the {@code jsonl} log sink: one JSON object per request record, in daily files. */
public final class JsonlSinkPlugin implements TollgatePlugin {

    public JsonlSinkPlugin() {}

    @Override
    public List<LogSinkFactory> logSinks() {
        return List.of(new JsonlSinkFactory());
    }
}
