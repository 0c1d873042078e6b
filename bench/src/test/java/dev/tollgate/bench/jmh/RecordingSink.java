package dev.tollgate.bench.jmh;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.StreamSink;
import java.util.ArrayList;
import java.util.List;

/** What a stream delivered to the provider benchmarks' sink, in order: event class names, "native", "complete", "error ...". */
public final class RecordingSink implements StreamSink {
    public final List<String> lines = new ArrayList<>();
    public final StringBuilder text = new StringBuilder();
    public Usage usage;

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
