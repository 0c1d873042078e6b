package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
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
 * Reads one upstream chat stream: checks the status and content type, splits the server-sent
 * events, and checks every data payload before anything is done with it — it must be one JSON
 * object (a broken or HTML payload is {@code upstream_malformed_response}, never passed on); an
 * {@code error} event or payload ends the stream as the provider's error. Valid chunks go to
 * {@link Chunks}: relayed untouched (pass-through) or translated to canonical events. A stream
 * that ends without a finish reason was truncated. Comment lines and keep-alives are dropped by the
 * parser, so they never reach the sink (nor reset its idle timer).
 *
 * <p>Its callbacks arrive on the call's thread one at a time, so it needs no locking.
 */
final class ChatStream implements ResponseHandler {

    static final int MAX_ERROR_BODY = 1024 * 1024;

    private static final Bytes DONE = Bytes.utf8("[DONE]");

    /** What happens to the stream's valid chunks. */
    interface Chunks {
        /** One checked chunk that is not an error. */
        void chunk(byte[] json, ResponseScan scan);

        /** The stream ended well ({@code [DONE]}, or the end after a finish reason); {@link StreamSink#complete} follows. */
        void end();
    }

    private enum State { AWAITING_HEADERS, STREAMING, ERROR_BODY, ENDED }

    private final StreamSink sink;
    private final ErrorMapping errors;
    private final Chunks chunks;
    private final SseParser sse = new SseParser(this::onEvent);
    private State state = State.AWAITING_HEADERS;
    private boolean finishSeen;
    private int errorStatus;
    private Headers errorHeaders;
    private ByteArrayOutputStream errorBody;

    ChatStream(StreamSink sink, ErrorMapping errors, Chunks chunks) {
        this.sink = sink;
        this.errors = errors;
        this.chunks = chunks;
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
                int room = MAX_ERROR_BODY - errorBody.size();
                int take = Math.min(room, chunk.remaining());
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
                if (state != State.STREAMING) {
                    return;
                }
                if (finishSeen) {
                    complete();
                } else {
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
        Bytes data = event.data();
        if (data.equals(DONE)) {
            complete();
            return;
        }
        byte[] json = data.toArray();
        ResponseScan scan;
        try {
            scan = ResponseScan.of(json);
        } catch (IOException e) {
            fail("error".equals(event.event()) ? errors.streamError(UpstreamError.NONE) : ErrorMapping.malformed(null));
            return;
        }
        if (scan.error() != null || "error".equals(event.event())) {
            fail(errors.streamError(scan.error() == null ? UpstreamError.NONE : scan.error()));
            return;
        }
        if (scan.stopReason() != null) {
            finishSeen = true;
        }
        try {
            chunks.chunk(json, scan);
        } catch (GatewayException e) {
            fail(e);
        }
    }

    private void failWithStatus() {
        fail(errors.map(errorStatus, errorHeaders, Bytes.wrapOwned(errorBody.toByteArray())));
    }

    private void complete() {
        state = State.ENDED;
        try {
            chunks.end();
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
