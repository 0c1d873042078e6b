package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.Usage;
import dev.tollgate.spi.sse.SseEvent;
import dev.tollgate.spi.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Relays one upstream chat stream to a {@link ChunkSink}. Chunks pass through as the upstream
 * wrote them; only chunks that may carry usage or an error are parsed, found by a byte search.
 * Usage is held back and reported once, just before the stream ends, so that servers which repeat
 * it on several chunks are counted by their last report.
 *
 * <p>Its callbacks arrive on the call's thread one at a time, so it needs no locking.
 */
final class ChatStream implements ResponseHandler {

    static final int MAX_ERROR_BODY = 1024 * 1024;

    private static final Bytes DONE = Bytes.utf8("[DONE]");
    private static final byte[] USAGE_OBJECT = "\"usage\":{".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE_OBJECT_SPACED = "\"usage\": {".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FINISH_REASON = "\"finish_reason\"".getBytes(StandardCharsets.US_ASCII);

    private enum State { AWAITING_HEADERS, STREAMING, ERROR_BODY, ENDED }

    private final ChunkSink sink;
    private final ErrorMapping errors;
    private final SseParser sse = new SseParser(this::onEvent);
    private State state = State.AWAITING_HEADERS;
    private boolean finishSeen;
    private Usage usage;
    private Bytes usageChunk;
    private int errorStatus;
    private Headers errorHeaders;
    private ByteArrayOutputStream errorBody;

    ChatStream(ChunkSink sink, ErrorMapping errors) {
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
        if (contentType.contains("json")) {
            fail(ErrorMapping.malformed(null));
            return;
        }
        state = State.STREAMING;
    }

    @Override
    public void onBody(ByteBuffer chunk) {
        switch (state) {
            case STREAMING -> {
                try {
                    sse.feed(chunk);
                } catch (IllegalStateException e) {
                    fail(ErrorMapping.malformed(e));
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
        if (!finishSeen) {
            finishSeen = hasFinishReason(data);
        }
        boolean mayCarryUsage = data.contains(USAGE_OBJECT) || data.contains(USAGE_OBJECT_SPACED);
        boolean mayCarryError = "error".equals(event.event()) || data.contains(ERROR);
        if (!mayCarryUsage && !mayCarryError) {
            sink.chunk(data);
            return;
        }
        ResponseScan scan;
        try {
            scan = ResponseScan.of(data);
        } catch (IOException e) {
            if ("error".equals(event.event())) {
                fail(errors.streamError(UpstreamError.NONE));
            } else {
                fail(ErrorMapping.malformed(e));
            }
            return;
        }
        if (scan.error() != null || "error".equals(event.event())) {
            fail(errors.streamError(scan.error() == null ? UpstreamError.NONE : scan.error()));
            return;
        }
        if (scan.usage() == null) {
            sink.chunk(data);
            return;
        }
        usage = scan.usage();
        if (scan.choices() && !scan.choicesEmpty()) {
            sink.chunk(data);
            usageChunk = null;
        } else {
            usageChunk = data;
        }
    }

    private static boolean hasFinishReason(Bytes data) {
        int at = data.indexOf(FINISH_REASON, 0);
        while (at >= 0) {
            int i = skipSpaces(data, at + FINISH_REASON.length);
            if (i < data.length() && data.byteAt(i) == ':') {
                i = skipSpaces(data, i + 1);
                if (i < data.length() && data.byteAt(i) == '"') {
                    return true;
                }
            }
            at = data.indexOf(FINISH_REASON, at + FINISH_REASON.length);
        }
        return false;
    }

    private static int skipSpaces(Bytes data, int i) {
        while (i < data.length()) {
            byte b = data.byteAt(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private void failWithStatus() {
        fail(errors.map(errorStatus, errorHeaders, Bytes.wrapOwned(errorBody.toByteArray())));
    }

    private void complete() {
        state = State.ENDED;
        reportUsage();
        sink.complete();
    }

    private void fail(GatewayException error) {
        state = State.ENDED;
        reportUsage();
        sink.error(error);
    }

    private void reportUsage() {
        if (usage != null) {
            sink.usage(usage, usageChunk);
            usage = null;
            usageChunk = null;
        }
    }
}
