package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.sse.SseEvent;
import dev.tollgate.spi.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * What the plugin's two upstream event streams (Chat Completions and Responses) share: the status
 * and content type are checked, an error status's body is kept (capped) and mapped, the body is
 * split into server-sent events, and each event reaches {@link #event} while the stream is open.
 * A subclass reads the events and ends the stream ({@link #ended}, {@link #fail}); it says in
 * {@link #endOfBody} how a body that stops while the stream is still open is finished. Comment
 * lines and keep-alives are dropped by the parser, so they never reach the sink (nor reset its idle
 * timer).
 *
 * <p>Its callbacks arrive on the call's thread one at a time, so it needs no locking.
 */
abstract class SseStream implements ResponseHandler {

    static final int MAX_ERROR_BODY = 1024 * 1024;

    private enum State { AWAITING_HEADERS, STREAMING, ERROR_BODY, ENDED }

    protected final StreamSink sink;
    protected final ErrorMapping errors;
    private final SseParser sse = new SseParser(this::onEvent);
    private State state = State.AWAITING_HEADERS;
    private int errorStatus;
    private Headers errorHeaders;
    private ByteArrayOutputStream errorBody;

    SseStream(StreamSink sink, ErrorMapping errors) {
        this.sink = sink;
        this.errors = errors;
    }

    /** One event of the open stream. */
    abstract void event(SseEvent event);

    /** The body ended and no event ended the stream before. */
    abstract void endOfBody();

    @Override
    public final void onHeaders(int status, Headers headers) {
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
    public final void onBody(ByteBuffer chunk) {
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
    public final void onComplete() {
        switch (state) {
            case STREAMING -> {
                sse.finish();
                if (state == State.STREAMING) {
                    endOfBody();
                }
            }
            case ERROR_BODY -> failWithStatus();
            case AWAITING_HEADERS -> fail(ErrorMapping.truncated());
            case ENDED -> { }
        }
    }

    @Override
    public final void onError(GatewayException error) {
        switch (state) {
            case ERROR_BODY -> failWithStatus();
            case ENDED -> { }
            default -> fail(error);
        }
    }

    private void onEvent(SseEvent event) {
        if (state == State.STREAMING) {
            event(event);
        }
    }

    /** An event whose data is not one JSON object: the provider's error when it is named {@code error}, else malformed. */
    final void failUnreadable(SseEvent event) {
        fail(isError(event) ? errors.streamError(UpstreamError.NONE) : ErrorMapping.malformed(null));
    }

    static boolean isError(SseEvent event) {
        return "error".equals(event.event());
    }

    /** No later callback reaches the subclass; what the sink is told is the caller's to do. */
    final void ended() {
        state = State.ENDED;
    }

    final void fail(GatewayException error) {
        state = State.ENDED;
        sink.fail(error);
    }

    private void failWithStatus() {
        fail(errors.map(errorStatus, errorHeaders, Bytes.wrapOwned(errorBody.toByteArray())));
    }
}
