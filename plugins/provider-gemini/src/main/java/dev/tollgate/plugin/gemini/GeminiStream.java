package dev.tollgate.plugin.gemini;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Reads one {@code streamGenerateContent?alt=sse} response: each server-sent event (at most
 * {@link #MAX_EVENT_BYTES}) is one {@code GenerateContentResponse} chunk, translated as it arrives.
 * Gemini has no end-of-stream event: the answer is complete when the upstream closes after a chunk that
 * named a {@code finishReason}; closing before that was a cut. A chunk with {@code error} ends the
 * stream as that error; one whose prompt was blocked as a content-policy failure.
 *
 * <p>Its callbacks arrive on the call's thread one at a time, so it needs no locking.
 */
final class GeminiStream implements ResponseHandler {

    /** The largest chunk accepted; Gemini's are small, but a chunk may carry an inline image. */
    static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private enum State { AWAITING_HEADERS, STREAMING, ERROR_BODY, ENDED }

    private final StreamSink sink;
    private final ErrorMapping errors;
    private final GeminiAnswers.StreamTranslator translator;
    private final SseParser sse = new SseParser(this::onEvent, MAX_EVENT_BYTES);
    private State state = State.AWAITING_HEADERS;
    private int errorStatus;
    private Headers errorHeaders;
    private ByteArrayOutputStream errorBody;

    GeminiStream(StreamSink sink, ErrorMapping errors, GeminiAnswers.StreamTranslator translator) {
        this.sink = sink;
        this.errors = errors;
        this.translator = translator;
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
                int take = Math.min(ErrorMapping.MAX_ERROR_BODY - errorBody.size(), chunk.remaining());
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
                if (!translator.finished()) {
                    fail(ErrorMapping.truncated());
                    return;
                }
                state = State.ENDED;
                try {
                    translator.end();
                } catch (RuntimeException e) {
                    sink.fail(ErrorMapping.malformed(e));
                    return;
                }
                sink.complete();
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
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Json.FACTORY.createParser(data));
        } catch (IOException e) {
            fail(ErrorMapping.malformed(null));
            return;
        }
        if (root == null || !root.isObject()) {
            fail(ErrorMapping.malformed(null));
            return;
        }
        if (root.path("error").isObject()) {
            fail(errors.streamError(ErrorMapping.UpstreamError.of(root.path("error"))));
            return;
        }
        String blocked = GeminiAnswers.blockReason(root);
        if (blocked != null && root.path("candidates").isEmpty()) {
            fail(ErrorMapping.blocked(blocked));
            return;
        }
        try {
            translator.chunk(root);
        } catch (GatewayException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(ErrorMapping.malformed(e));
        }
    }

    private void failWithStatus() {
        byte[] body = errorBody.toByteArray();
        fail(errors.map(errorStatus, errorHeaders, ErrorMapping.UpstreamError.parse(body, body.length)));
    }

    private void fail(GatewayException error) {
        state = State.ENDED;
        sink.fail(error);
    }
}
