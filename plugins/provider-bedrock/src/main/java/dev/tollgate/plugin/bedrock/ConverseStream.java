package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.StreamSink;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Reads one ConverseStream answer: checks the status and content type, decodes the event-stream
 * framing ({@link EventStreamDecoder}), maps {@code exception} and {@code error} messages to the
 * provider's error, and hands events to {@link ConverseStreamReader}. A corrupt frame or event fails
 * the stream as malformed; an upstream that closes before the answer ended cut it short.
 *
 * <p>Its callbacks arrive on the call's thread one at a time, so it needs no locking.
 */
final class ConverseStream implements ResponseHandler {

    private enum State { AWAITING_HEADERS, STREAMING, ERROR_BODY, ENDED }

    private final StreamSink sink;
    private final ProviderRequest request;
    private final Warnings warnings;
    private final EventStreamDecoder decoder;
    private ConverseStreamReader reader;
    private State state = State.AWAITING_HEADERS;
    private int errorStatus;
    private Headers errorHeaders;
    private ByteArrayOutputStream errorBody;

    ConverseStream(StreamSink sink, ProviderRequest request, int maxEventBytes, Warnings warnings) {
        this.sink = sink;
        this.request = request;
        this.warnings = warnings;
        this.decoder = new EventStreamDecoder(this::onMessage, maxEventBytes);
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
        if (!contentType.isEmpty() && !contentType.contains("vnd.amazon.eventstream")) {
            fail(ErrorMapping.malformed(null));
            return;
        }
        reader = new ConverseStreamReader(sink::event, BedrockAdapter.answerId(headers, request), request.upstreamModel(), warnings);
        sink.headers(BedrockAdapter.passedHeaders(headers));
        state = State.STREAMING;
    }

    @Override
    public void onBody(ByteBuffer chunk) {
        switch (state) {
            case STREAMING -> {
                try {
                    decoder.feed(chunk);
                } catch (EventStreamDecoder.EventStreamException e) {
                    if (state == State.STREAMING) {
                        fail(ErrorMapping.malformed(e));
                    }
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
                try {
                    decoder.finish();
                } catch (EventStreamDecoder.EventStreamException e) {
                    fail(ErrorMapping.truncated());
                    return;
                }
                if (reader.stopped()) {
                    reader.endWithoutUsage();
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

    private void onMessage(EventStreamDecoder.Message m) {
        if (state != State.STREAMING) {
            return;
        }
        String messageType = m.header(":message-type");
        if ("exception".equals(messageType)) {
            fail(ErrorMapping.streamException(m.header(":exception-type"), m.payload()));
            return;
        }
        if ("error".equals(messageType)) {
            String code = m.header(":error-code");
            String text = m.header(":error-message");
            fail(ErrorMapping.streamException(code, ("{\"message\":" + quote(text) + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return;
        }
        if (!"event".equals(messageType) || m.header(":event-type") == null) {
            warnings.unknown("unknown event-stream message skipped", String.valueOf(messageType));
            return;
        }
        try {
            reader.event(m.header(":event-type"), m.payload());
        } catch (FormatException e) {
            fail(ErrorMapping.malformed(e));
            return;
        }
        if (reader.ended()) {
            complete();
        }
    }

    private static String quote(String text) {
        if (text == null) {
            return "null";
        }
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", " ") + "\"";
    }

    private void failWithStatus() {
        byte[] body = errorBody.toByteArray();
        fail(ErrorMapping.map(errorStatus, errorHeaders, body, body.length));
    }

    private void complete() {
        state = State.ENDED;
        sink.complete();
    }

    private void fail(GatewayException error) {
        state = State.ENDED;
        sink.fail(error);
    }
}
