package dev.tollgate.plugin.otlp;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Exports each batch of records as one OTLP/HTTP request of spans and waits for the collector's
 * answer. A refusal or no answer within the timeout throws, so the kernel retries the batch and
 * keeps it (spill) while the collector is away. Records without a trace are skipped and counted.
 */
final class OtlpSink implements LogSink {

    static final String SCOPE_NAME = "dev.tollgate.sink-otlp";

    private final SpanExporter exporter;
    private final RecordSpans spans;
    private final Duration timeout;
    private final String target;
    private final Metrics.Counter untraced;
    private final Metrics.Counter exported;

    OtlpSink(SpanExporter exporter, RecordSpans spans, Duration timeout, String target, Metrics metrics) {
        this.exporter = requireNonNull(exporter, "exporter is null");
        this.spans = requireNonNull(spans, "spans is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.target = requireNonNull(target, "target is null");
        this.untraced = metrics.counter("records_untraced_total",
                "Request records not exported because they have no trace (see logging.start_traces)");
        this.exported = metrics.counter("spans_exported_total",
                "Spans the collector accepted; a batch the gateway sends again counts again");
    }

    static OtlpSink start(OtlpSinkConfig config, Metrics metrics) {
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.endpoint().toString())
                .setTimeout(config.timeout())
                .setConnectTimeout(config.timeout())
                .setCompression(config.compression().otlpName)
                // The kernel retries with backoff and spills; retries in here would only hide failures from it.
                .setRetryPolicy(null)
                // The JDK sender is found through the plugin's own loader, not the thread's.
                .setServiceClassLoader(OtlpSink.class.getClassLoader());
        config.allHeaders().forEach(b::addHeader);
        return new OtlpSink(b.build(), new RecordSpans(resource(config.serviceName()), scope()), config.timeout(),
                config.endpoint().toString(), metrics);
    }

    @Override
    public void write(List<RequestRecord> batch) throws IOException {
        List<SpanData> out = new ArrayList<>();
        for (RequestRecord r : batch) {
            List<SpanData> s = spans.spans(r);
            if (s.isEmpty()) {
                untraced.increment();
            }
            out.addAll(s);
        }
        if (out.isEmpty()) {
            return;
        }
        CompletableResultCode result = exporter.export(out).join(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (!result.isDone()) {
            throw new IOException("the OTLP collector at " + target + " did not answer within " + timeout.toMillis() + "ms");
        }
        if (!result.isSuccess()) {
            throw new IOException("the OTLP collector at " + target + " did not take " + out.size() + " spans"
                    + describe(result.getFailureThrowable()));
        }
        exported.add(out.size());
    }

    @Override
    public void close() {
        exporter.shutdown().join(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    static Resource resource(String serviceName) {
        var b = Attributes.builder().put("service.name", serviceName);
        version().ifPresent(v -> b.put("service.version", v));
        return Resource.create(b.build());
    }

    static InstrumentationScopeInfo scope() {
        var b = InstrumentationScopeInfo.builder(SCOPE_NAME);
        version().ifPresent(b::setVersion);
        return b.build();
    }

    /** The plugin's version, written into a resource at build time; empty when it is missing. */
    static Optional<String> version() {
        try (InputStream in = OtlpSink.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").strip();
            return v.isEmpty() || v.startsWith("${") ? Optional.empty() : Optional.of(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exporter's reason, without its stack: a class name and a message, down the causes. */
    private static String describe(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (int depth = 0; t != null && depth < 3; depth++, t = t.getCause()) {
            s.append(depth == 0 ? ": " : " <- ").append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                s.append(' ').append(t.getMessage());
            }
        }
        return s.toString();
    }
}
