package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.sse.SseEvent;
import java.io.IOException;

/**
 * Relays one upstream OpenAI Responses event stream untouched: every event's name and data go to
 * the client as they came, after a check that the data is one JSON object with a {@code type}.
 * Only the top level is read, plus the {@code response} object of the events that carry one:
 * {@code response.created} names the upstream's response id, and the terminal
 * {@code response.completed} / {@code response.incomplete} carries the usage; both are reported to
 * the kernel as an {@link Observation}, and the terminal event completes the stream. An
 * {@code error} event or a {@code response.failed} is the provider's failure (not relayed: the
 * kernel ends the client's stream in the protocol's way, or retries when nothing was sent yet); a
 * stream that ends without a terminal event was truncated. {@link SseStream} checks the status
 * and splits the events.
 */
final class ResponsesStream extends SseStream {

    private String responseId;

    ResponsesStream(StreamSink sink, ErrorMapping errors) {
        super(sink, errors);
    }

    @Override
    void endOfBody() {
        fail(ErrorMapping.truncated());
    }

    @Override
    void event(SseEvent event) {
        byte[] json = event.data().toArray();
        Event e;
        try {
            e = Event.of(json);
        } catch (IOException bad) {
            failUnreadable(event);
            return;
        }
        if ("error".equals(e.type) || isError(event)) {
            fail(errors.streamError(UpstreamError.parse(Bytes.wrapOwned(json))));
            return;
        }
        if (e.type == null) {
            fail(ErrorMapping.malformed(null));
            return;
        }
        if (e.type.equals("response.failed")) {
            fail(errors.streamError(e.responseStart < 0 ? UpstreamError.NONE
                    : UpstreamError.parse(Bytes.wrapOwned(json, e.responseStart, e.responseEnd - e.responseStart))));
            return;
        }
        boolean terminal = e.type.equals("response.completed") || e.type.equals("response.incomplete");
        ResponseScan response = null;
        if (e.responseStart >= 0 && (terminal || responseId == null)) {
            try {
                response = ResponseScan.of(json, e.responseStart, e.responseEnd);
            } catch (IOException bad) {
                fail(ErrorMapping.malformed(null));
                return;
            }
            if (responseId == null && response.id() != null) {
                responseId = response.id();
                sink.observe(Observation.NONE.withResponseId(responseId));
            }
        }
        sink.nativeEvent(event.event(), Bytes.wrapOwned(json));
        if (terminal) {
            ended();
            if (response != null && response.usage() != null) {
                sink.observe(Observation.usage(response.usage()).withResponseId(responseId));
            }
            sink.complete();
        }
    }

    /** The top level of one event: its {@code type} and where its {@code response} object is. */
    private static final class Event implements TopLevel.Visitor {
        String type;
        int responseStart = -1;
        int responseEnd;

        static Event of(byte[] json) throws IOException {
            Event e = new Event();
            TopLevel.scan(json, 0, json.length, e);
            return e;
        }

        @Override
        public void member(byte[] b, int ks, int ke, int vs, int ve) throws IOException {
            if (TopLevel.is(b, ks, ke, "type") && type == null) {
                type = Json.string(b, vs, ve);
            } else if (TopLevel.is(b, ks, ke, "response") && b[vs] == '{') {
                responseStart = vs;
                responseEnd = ve;
            }
        }
    }
}
