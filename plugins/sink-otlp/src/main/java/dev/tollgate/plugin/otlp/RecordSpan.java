package dev.tollgate.plugin.otlp;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * A finished span made from a request record. The SDK's span builder draws its own span ids, but
 * the ids here are fixed: the upstream already saw them in {@code traceparent}. So the exporter
 * gets this value instead of a span the SDK recorded.
 */
final class RecordSpan implements SpanData {

    private final String name;
    private final SpanKind kind;
    private final SpanContext context;
    private final SpanContext parent;
    private final StatusData status;
    private final long startEpochNanos;
    private final long endEpochNanos;
    private final Attributes attributes;
    private final Resource resource;
    private final InstrumentationScopeInfo scope;

    RecordSpan(String name, SpanKind kind, SpanContext context, SpanContext parent, StatusData status, long startEpochNanos,
            long endEpochNanos, Attributes attributes, Resource resource, InstrumentationScopeInfo scope) {
        this.name = requireNonNull(name, "name is null");
        this.kind = requireNonNull(kind, "kind is null");
        this.context = requireNonNull(context, "context is null");
        this.parent = requireNonNull(parent, "parent is null");
        this.status = requireNonNull(status, "status is null");
        if (endEpochNanos < startEpochNanos) {
            throw new IllegalArgumentException("a span ends after it starts");
        }
        this.startEpochNanos = startEpochNanos;
        this.endEpochNanos = endEpochNanos;
        this.attributes = requireNonNull(attributes, "attributes is null");
        this.resource = requireNonNull(resource, "resource is null");
        this.scope = requireNonNull(scope, "scope is null");
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public SpanKind getKind() {
        return kind;
    }

    @Override
    public SpanContext getSpanContext() {
        return context;
    }

    @Override
    public SpanContext getParentSpanContext() {
        return parent;
    }

    @Override
    public StatusData getStatus() {
        return status;
    }

    @Override
    public long getStartEpochNanos() {
        return startEpochNanos;
    }

    @Override
    public Attributes getAttributes() {
        return attributes;
    }

    @Override
    public List<EventData> getEvents() {
        return List.of();
    }

    @Override
    public List<LinkData> getLinks() {
        return List.of();
    }

    @Override
    public long getEndEpochNanos() {
        return endEpochNanos;
    }

    @Override
    public boolean hasEnded() {
        return true;
    }

    @Override
    public int getTotalRecordedEvents() {
        return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
        return 0;
    }

    @Override
    public int getTotalAttributeCount() {
        return attributes.size();
    }

    @Override
    @Deprecated
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion());
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return scope;
    }

    @Override
    public Resource getResource() {
        return resource;
    }

    @Override
    public String toString() {
        return "RecordSpan[" + name + " " + kind + " " + context.getTraceId() + "/" + context.getSpanId() + " parent="
                + parent.getSpanId() + "]";
    }
}
