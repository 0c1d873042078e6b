package dev.tollgate.plugin.otlp;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.common.export.MemoryMode;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Exports each batch of records as one OTLP/HTTP request of spans and waits for the collector's
 * answer. A refusal or no answer within the timeout throws, so the kernel retries the batch and
 * keeps it (spill) while the collector is away. Records without a trace are skipped and counted.
 */
final class OtlpSink implements LogSink {

    static final String SCOPE_NAME = "dev.tollgate.sink-otlp";

    /**
     * The exporter logs each failure with its stack trace through java.util.logging, outside the
     * gateway's log. This sink reports failures itself (one line when the collector starts failing),
     * so the exporter's logger is silenced; held here because java.util.logging keeps loggers weakly.
     */
    private static final Logger EXPORTER_LOG = Logger.getLogger("io.opentelemetry.exporter");

    static {
        EXPORTER_LOG.setLevel(Level.OFF);
    }

    private final SpanExporter exporter;
    private final RecordSpans spans;
    private final Duration timeout;
    private final String target;
    private final Metrics.Counter untraced;
    private final Metrics.Counter exported;
    private final System.Logger log;
    private boolean failing;

    OtlpSink(SpanExporter exporter, RecordSpans spans, Duration timeout, String target, Metrics metrics, System.Logger log) {
        this.exporter = requireNonNull(exporter, "exporter is null");
        this.spans = requireNonNull(spans, "spans is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.target = requireNonNull(target, "target is null");
        this.log = requireNonNull(log, "log is null");
        this.untraced = metrics.counter("records_untraced_total",
                "Request records not exported because they have no trace (see logging.start_traces)");
        this.exported = metrics.counter("spans_exported_total",
                "Spans the collector accepted; a batch the gateway sends again counts again");
    }

    static OtlpSink start(OtlpSinkConfig config, Metrics metrics, System.Logger log) {
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.endpoint().toString())
                .setTimeout(config.timeout())
                .setConnectTimeout(config.timeout())
                .setCompression(config.compression().otlpName)
                // The kernel retries with backoff and spills; retries in here would only hide failures from it.
                .setRetryPolicy(null)
                // An export given up at the timeout may still run when the next one starts: no shared buffers.
                .setMemoryMode(MemoryMode.IMMUTABLE_DATA)
                // The JDK sender is found through the plugin's own loader, not the thread's.
                .setServiceClassLoader(OtlpSink.class.getClassLoader());
        config.allHeaders().forEach(b::addHeader);
        return new OtlpSink(b.build(), new RecordSpans(resource(config.serviceName()), scope()), config.timeout(),
                config.endpoint().toString(), metrics, log);
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
            throw failed(new IOException("the OTLP collector at " + target + " did not answer within " + timeout.toMillis() + "ms"));
        }
        if (!result.isSuccess()) {
            throw failed(new IOException("the OTLP collector at " + target + " did not take " + out.size() + " spans"
                    + describe(result.getFailureThrowable())));
        }
        failing = false;
        exported.add(out.size());
    }

    /** Says why once when exports start failing; the kernel counts every failure and logs when the sink is down. */
    private IOException failed(IOException e) {
        if (!failing) {
            failing = true;
            log.log(System.Logger.Level.WARNING, e.getMessage() + "; the gateway keeps the records and sends them again");
        }
        return e;
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

    /** The exporter's reason, without its stack: the collector's status, or the error and its causes. */
    private static String describe(Throwable t) {
        // An internal class of the exporter (version pinned in the pom): the only way to the collector's status.
        if (t instanceof FailedExportException.HttpExportException h) {
            if (h.failedWithResponse()) {
                return ": it answered HTTP " + h.getResponse().getStatusCode();
            }
            t = h.getCause();
        }
        List<String> parts = new ArrayList<>();
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
            String part = t.getClass().getSimpleName();
            if (t.getMessage() != null && (t.getCause() == null || !t.getMessage().equals(t.getCause().toString()))) {
                part += " " + t.getMessage();
            }
            if (!parts.contains(part)) {
                parts.add(part);
            }
        }
        return parts.isEmpty() ? "" : ": " + String.join(" <- ", parts);
    }
}
