package dev.tollgate.plugin.anthropic;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.sse.SseEvent;
import dev.tollgate.spi.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Reads one upstream Messages stream: checks the status and content type, splits the server-sent
 * events (each at most {@link #MAX_EVENT_BYTES}), and checks every event before anything is done with
 * it: it must be one JSON object, and the first must be {@code message_start}. {@code ping}s are
 * keep-alives and go nowhere (so they do not reset the kernel's idle timer either); an {@code error}
 * event ends the stream as the provider's error, mapped by its type. Other events go to {@link Events}:
 * relayed untouched (pass-through) or translated to canonical events. The stream is complete at
 * {@code message_stop}; an upstream that closes before it was cut short.
 *
 * <p>Its callbacks arrive on the call's thread one at a time, so it needs no locking.
 */
final class EventStream implements ResponseHandler {

    /** The largest event accepted; Anthropic's are a few kilobytes (a redacted thinking block the most). */
    static final int MAX_EVENT_BYTES = 2 * 1024 * 1024;
    /** The part of an error body read for its message. */
    static final int MAX_ERROR_BODY = 64 * 1024;

    /** What happens to the stream's checked events. */
    interface Events {
        /** One checked event that is not a ping or an error; {@code usage} holds the counters reported so far. */
        void event(String name, byte[] data, EventScan scan, UsageCounts usage);

        /** {@code message_stop} was handled; {@link StreamSink#complete} follows. */
        void end();
    }

    private enum State { AWAITING_HEADERS, STREAMING, ERROR_BODY, ENDED }

    private final StreamSink sink;
    private final ErrorMapping errors;
    private final Events events;
    private final SseParser sse = new SseParser(this::onEvent, MAX_EVENT_BYTES);
    private final UsageCounts usage = new UsageCounts();
    private State state = State.AWAITING_HEADERS;
    private boolean started;
    private int errorStatus;
    private Headers errorHeaders;
    private ByteArrayOutputStream errorBody;

    EventStream(StreamSink sink, ErrorMapping errors, Events events) {
        this.sink = sink;
        this.errors = errors;
        this.events = events;
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
        sink.headers(AnthropicAdapter.passedHeaders(headers));
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
                int take = Math.min(MAX_ERROR_BODY - errorBody.size(), chunk.remaining());
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
        byte[] data = event.data().toArray();
        EventScan scan;
        try {
            scan = EventScan.of(data, data.length, usage);
        } catch (IOException e) {
            fail("error".equals(event.event()) ? errors.streamError(UpstreamError.NONE) : ErrorMapping.malformed(null));
            return;
        }
        String type = scan.type() != null ? scan.type() : event.event();
        if ("error".equals(type) || "error".equals(event.event())) {
            fail(errors.streamError(scan.error() == null ? UpstreamError.NONE : scan.error()));
            return;
        }
        if ("ping".equals(type)) {
            return;
        }
        if (type == null || !started && !type.equals("message_start")) {
            fail(ErrorMapping.malformed(null));
            return;
        }
        started = true;
        try {
            events.event(event.event() != null ? event.event() : type, data, scan, usage);
        } catch (GatewayException e) {
            fail(e);
            return;
        }
        if (type.equals("message_stop")) {
            complete();
        }
    }

    private void failWithStatus() {
        byte[] body = errorBody.toByteArray();
        fail(errors.map(errorStatus, errorHeaders, UpstreamError.parse(body, body.length)));
    }

    private void complete() {
        state = State.ENDED;
        try {
            events.end();
        } catch (GatewayException e) {
            sink.fail(e);
            return;
        }
        sink.complete();
    }

    private void fail(GatewayException error) {
        state = State.ENDED;
        sink.fail(error);
    }
}
