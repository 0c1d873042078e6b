package dev.tollgate.bench.jmh;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.StreamSink;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;

/** What a stream delivered to the provider benchmarks' sink, in order: event class names, "native", "complete", "error ...". */
public final class RecordingSink implements StreamSink {
    public final List<String> lines = new ArrayList<>();
    public final StringBuilder text = new StringBuilder();
    public Usage usage;

    /** What {@code adapter} delivered streaming {@code request} through {@code call}. */
    public static RecordingSink streamed(ProviderAdapter adapter, ProviderRequest request, ProviderCall call) {
        RecordingSink seen = new RecordingSink();
        adapter.streamChat(request, call, seen);
        return seen;
    }

    /** The lines of a stream translated to canonical events that completed without an error; more can be chained. */
    public ListAssert<String> assertCanonical() {
        return Assertions.assertThat(lines).startsWith("MessageStart", "BlockStart").endsWith("MessageEnd", "complete")
                .noneMatch(l -> l.startsWith("error"));
    }

    @Override
    public void headers(Headers headers) {}

    @Override
    public void event(StreamEvent event) {
        lines.add(event.getClass().getSimpleName());
        if (event instanceof StreamEvent.TextDelta d) {
            text.append(d.text());
        }
        if (event instanceof StreamEvent.MessageEnd end) {
            usage = end.usage();
        }
    }

    @Override
    public void nativeEvent(String name, Bytes data) {
        lines.add("native");
    }

    @Override
    public void observe(Observation observation) {
        observation.observedUsage().ifPresent(u -> usage = u);
    }

    @Override
    public void complete() {
        lines.add("complete");
    }

    @Override
    public void fail(GatewayException error) {
        lines.add("error " + error.getMessage());
    }
}
