package dev.tollgate.kernel.pipeline;

import dev.tollgate.kernel.server.OpenAiErrors;
import dev.tollgate.kernel.server.Responses;
import dev.tollgate.kernel.server.SseWriter;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.Usage;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's {@link ChunkSink}: commits the stream to the client at the first chunk, writes each
 * chunk as one flushed SSE event, forwards the usage chunk only when the client asked for it, ends
 * with {@code [DONE]}, and turns an error into an error response before the commit or an error
 * event after it. Confined to the request's I/O thread; calls from elsewhere are moved there.
 */
final class StreamResponder implements ChunkSink, SseWriter.Listener {

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final GatewayRequest r;
    private final Pipeline pipeline;
    private final SseWriter writer;
    private boolean ended;

    StreamResponder(GatewayRequest r, Pipeline pipeline) {
        this.r = r;
        this.pipeline = pipeline;
        this.writer = new SseWriter(r.exchange, this);
    }

    /** Fails the attempt with a timeout when no chunk arrived within the deployment's TTFT limit. */
    void armTtft() {
        r.attempt.kernelTimer(r.deployment.ttftTimeout(), () -> {
            if (!ended && !writer.isStarted()) {
                error(GatewayException.builder(dev.tollgate.spi.ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout")
                        .message("the provider sent no first token within " + r.deployment.ttftTimeout().toMillis() + " ms")
                        .build());
            }
        });
    }

    private boolean elsewhere(Runnable again) {
        if (Thread.currentThread() != r.thread) {
            r.thread.execute(again);
            return true;
        }
        return false;
    }

    @Override
    public void chunk(Bytes json) {
        if (elsewhere(() -> chunk(json)) || ended) {
            return;
        }
        commit();
        writer.event(json.asByteBuffer());
    }

    @Override
    public void usage(Usage usage, Bytes usageChunk) {
        if (elsewhere(() -> usage(usage, usageChunk)) || ended) {
            return;
        }
        r.usage = usage;
        if (r.includeUsage && usageChunk != null) {
            commit();
            writer.event(usageChunk.asByteBuffer());
        }
    }

    @Override
    public void complete() {
        if (elsewhere(this::complete) || ended) {
            return;
        }
        ended = true;
        commit();
        writer.event(DONE, 0, DONE.length);
        r.attemptFinished = true;
        r.attempt.finish();
        writer.finish();
    }

    @Override
    public void error(GatewayException error) {
        if (elsewhere(() -> error(error)) || ended) {
            return;
        }
        ended = true;
        r.attemptFinished = true;
        r.attempt.cancel();
        r.errorCode = error.code();
        if (!writer.isStarted()) {
            pipeline.fail(r, error);
            return;
        }
        Responses.logStreamFailure(r.requestId, error);
        writer.event(java.nio.ByteBuffer.wrap(OpenAiErrors.body(error)));
        writer.finish();
    }

    private void commit() {
        if (!writer.isStarted()) {
            r.firstChunkNanos = System.nanoTime();
            Responses.addHeaders(r.exchange, r.responseHeaders);
            writer.start();
        }
    }

    @Override
    public void onBackPressure(boolean congested) {
        if (congested) {
            r.attempt.pauseUpstream();
        } else {
            r.attempt.resumeUpstream();
        }
    }

    @Override
    public void onClientGone() {
        ended = true;
        r.attemptFinished = true;
        r.errorCode = "client_disconnected";
        r.attempt.cancel();
    }
}
