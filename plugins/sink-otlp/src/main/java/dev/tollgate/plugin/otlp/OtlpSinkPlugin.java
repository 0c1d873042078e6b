package dev.tollgate.plugin.otlp;

import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.sink.LogSinkFactory;
import java.util.List;

/** Contributes the {@code otlp} log sink: each request record as OpenTelemetry spans, sent over OTLP/HTTP. */
public final class OtlpSinkPlugin implements TollgatePlugin {

    public OtlpSinkPlugin() {}

    @Override
    public List<LogSinkFactory> logSinks() {
        return List.of(new OtlpSinkFactory());
    }
}
