package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.sse.SseEvent;
import dev.tollgate.spi.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Relays one upstream OpenAI Responses event stream untouched: every event's name and data go to
 * the client as they came, after a check that the data is one JSON object with a {@code type}.
 * Only the top level is read, plus the {@code response} object of the events that carry one:
 * {@code response.created} names the upstream's response id, and the terminal
 * {@code response.completed} / {@code response.incomplete} carries the usage; both are reported to
 * the kernel as an {@link Observation}, and the terminal event completes the stream. An
 * {@code error} event or a {@code response.failed} is the provider's failure (not relayed: the
 * kernel ends the client's stream in the protocol's way, or retries when nothing was sent yet); a
 * stream that ends without a terminal event was truncated.
 *
 * <p>Its callbacks arrive on the call's thread one at a time, so it needs no locking.
 */
final class ResponsesStream implements ResponseHandler {

    private enum State { AWAITING_HEADERS, STREAMING, ERROR_BODY, ENDED }

    private final StreamSink sink;
    private final ErrorMapping errors;
    private final SseParser sse = new SseParser(this::onEvent);
    private State state = State.AWAITING_HEADERS;
    private int errorStatus;
    private Headers errorHeaders;
    private ByteArrayOutputStream errorBody;
    private String responseId;

    ResponsesStream(StreamSink sink, ErrorMapping errors) {
        this.sink = sink;
        this.errors = errors;
    }

    @Override
    public void onHeaders(int status, Headers headers) {
        if (state != State.AWAITING_HEADERS) {
            return;
        }
        if (status < 200 || status > 299) {
            state = State.ERROR_BODY;
            errorStatus = status;
            errorHeaders = headers;
            errorBody = new ByteArrayOutputStream();
            return;
        }
        String contentType = headers.first("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.isEmpty() && !contentType.contains("event-stream")) {
            fail(ErrorMapping.malformed(null));
            return;
        }
        sink.headers(NativeAnswer.passedHeaders(headers));
        state = State.STREAMING;
    }

    @Override
    public void onBody(ByteBuffer chunk) {
        switch (state) {
            case STREAMING -> {
                try {
                    sse.feed(chunk);
                } catch (IllegalStateException e) {
                    fail(ErrorMapping.malformed(null));
                }
            }
            case ERROR_BODY -> {
                int take = Math.min(ChatStream.MAX_ERROR_BODY - errorBody.size(), chunk.remaining());
                if (take > 0) {
                    byte[] piece = new byte[take];
                    chunk.get(piece);
                    errorBody.writeBytes(piece);
                }
            }
            default -> { }
        }
    }

    @Override
    public void onComplete() {
        switch (state) {
            case STREAMING -> {
                sse.finish();
                if (state == State.STREAMING) {
                    fail(ErrorMapping.truncated());
                }
            }
            case ERROR_BODY -> failWithStatus();
            case AWAITING_HEADERS -> fail(ErrorMapping.truncated());
            case ENDED -> { }
        }
    }

    @Override
    public void onError(GatewayException error) {
        switch (state) {
            case ERROR_BODY -> failWithStatus();
            case ENDED -> { }
            default -> fail(error);
        }
    }

    private void onEvent(SseEvent event) {
        if (state != State.STREAMING) {
            return;
        }
        byte[] json = event.data().toArray();
        Event e;
        try {
            e = Event.of(json);
        } catch (IOException bad) {
            fail("error".equals(event.event()) ? errors.streamError(UpstreamError.NONE) : ErrorMapping.malformed(null));
            return;
        }
        if ("error".equals(e.type) || "error".equals(event.event())) {
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
            state = State.ENDED;
            if (response != null && response.usage() != null) {
                sink.observe(Observation.usage(response.usage()).withResponseId(responseId));
            }
            sink.complete();
        }
    }

    private void failWithStatus() {
        fail(errors.map(errorStatus, errorHeaders, Bytes.wrapOwned(errorBody.toByteArray())));
    }

    private void fail(GatewayException error) {
        state = State.ENDED;
        sink.fail(error);
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
