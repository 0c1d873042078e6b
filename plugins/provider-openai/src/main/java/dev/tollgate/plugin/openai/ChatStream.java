package dev.tollgate.plugin.openai;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.sse.SseEvent;
import java.io.IOException;

/**
 * Reads one upstream chat stream ({@link SseStream} checks the status and splits the events):
 * every data payload is checked before anything is done with it — it must be one JSON object (a
 * broken or HTML payload is {@code upstream_malformed_response}, never passed on); an
 * {@code error} event or payload ends the stream as the provider's error. Valid chunks go to
 * {@link Chunks}: relayed untouched (pass-through) or translated to canonical events. A stream
 * that ends without a finish reason was truncated.
 */
final class ChatStream extends SseStream {

    private static final Bytes DONE = Bytes.utf8("[DONE]");

    /** What happens to the stream's valid chunks. */
    interface Chunks {
        /** One checked chunk that is not an error. */
        void chunk(byte[] json, ResponseScan scan);

        /** The stream ended well ({@code [DONE]}, or the end after a finish reason); {@link StreamSink#complete} follows. */
        void end();
    }

    private final Chunks chunks;
    private boolean finishSeen;

    ChatStream(StreamSink sink, ErrorMapping errors, Chunks chunks) {
        super(sink, errors);
        this.chunks = chunks;
    }

    @Override
    void endOfBody() {
        if (finishSeen) {
            complete();
        } else {
            fail(ErrorMapping.truncated());
        }
    }

    @Override
    void event(SseEvent event) {
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
            failUnreadable(event);
            return;
        }
        if (scan.error() != null || isError(event)) {
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

    private void complete() {
        ended();
        try {
            chunks.end();
        } catch (GatewayException e) {
            sink.fail(e);
            return;
        }
        sink.complete();
    }
}
