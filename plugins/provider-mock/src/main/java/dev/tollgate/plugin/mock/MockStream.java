package dev.tollgate.plugin.mock;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.Usage;
import java.time.Duration;

/**
 * One stream in progress: each run emits what is due and schedules itself for the next word. Word
 * {@code i} is due {@code i} intervals after the first run, so scheduling delays do not accumulate.
 */
final class MockStream implements Runnable {

    private final ProviderCall call;
    private final ChunkSink sink;
    private final ChunkWriter chunks;
    private final Answer answer;
    private final Usage usage;
    private final long intervalNanos;
    private final int failAt;
    private final GatewayException failure;
    private long startNanos;
    private int next = -1;

    /**
     * @param failAfterTokens content chunks to send before {@code failure}; -1 never fails
     */
    MockStream(ProviderCall call, ChunkSink sink, ChunkWriter chunks, Answer answer, Usage usage,
            long intervalNanos, int failAfterTokens, GatewayException failure) {
        this.call = call;
        this.sink = sink;
        this.chunks = chunks;
        this.answer = answer;
        this.usage = usage;
        this.intervalNanos = intervalNanos;
        this.failAt = failAfterTokens < 0 ? -1 : Math.min(failAfterTokens, answer.length());
        this.failure = failure;
    }

    @Override
    public void run() {
        if (call.isCancelled()) {
            return;
        }
        if (next < 0) {
            startNanos = System.nanoTime();
            sink.chunk(chunks.role());
            next = 0;
        }
        while (true) {
            if (next == failAt) {
                sink.error(failure);
                return;
            }
            if (next == answer.length()) {
                sink.chunk(chunks.finish(answer.finishReason()));
                sink.usage(usage, chunks.usage(usage));
                sink.complete();
                return;
            }
            sink.chunk(chunks.content(answer.word(next), next == 0));
            next++;
            if (call.isCancelled()) {
                return;
            }
            if (intervalNanos > 0 && next < answer.length() && next != failAt) {
                long delay = startNanos + next * intervalNanos - System.nanoTime();
                call.schedule(Duration.ofNanos(Math.max(0, delay)), this);
                return;
            }
        }
    }
}
