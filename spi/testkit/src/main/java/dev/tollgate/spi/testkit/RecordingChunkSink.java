package dev.tollgate.spi.testkit;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChunkSink} that records what an adapter delivered and checks the sink contract: nothing
 * after the end, and only one end.
 */
public final class RecordingChunkSink implements ChunkSink {

    private final List<Bytes> chunks = new ArrayList<>();
    private final List<Long> chunkArrivalNanos = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private Usage usage;
    private Bytes usageChunk;
    private boolean completed;
    private GatewayException error;
    private String contractViolation;

    @Override
    public synchronized void chunk(Bytes json) {
        checkOpen("chunk");
        chunks.add(json);
        chunkArrivalNanos.add(System.nanoTime());
    }

    @Override
    public synchronized void usage(Usage usage, Bytes usageChunk) {
        checkOpen("usage");
        if (this.usage != null) {
            contractViolation = "usage reported twice";
        }
        this.usage = usage;
        this.usageChunk = usageChunk;
    }

    @Override
    public synchronized void complete() {
        checkOpen("complete");
        completed = true;
        ended.countDown();
    }

    @Override
    public synchronized void error(GatewayException error) {
        checkOpen("error");
        this.error = error;
        ended.countDown();
    }

    private void checkOpen(String what) {
        if ((completed || error != null) && contractViolation == null) {
            contractViolation = what + " after the stream ended";
        }
    }

    /** Waits until the stream completed or failed; fails the test on a contract violation. */
    public RecordingChunkSink awaitEnd(Duration timeout) {
        try {
            if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("stream did not end within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        synchronized (this) {
            if (contractViolation != null) {
                throw new AssertionError("ChunkSink contract violated: " + contractViolation);
            }
        }
        return this;
    }

    public synchronized List<Bytes> chunks() {
        return List.copyOf(chunks);
    }

    /** The chunks as UTF-8 strings. */
    public synchronized List<String> chunkTexts() {
        return chunks.stream().map(Bytes::utf8).toList();
    }

    public synchronized List<Long> chunkArrivalNanos() {
        return List.copyOf(chunkArrivalNanos);
    }

    public synchronized Usage usage() {
        return usage;
    }

    public synchronized Bytes usageChunk() {
        return usageChunk;
    }

    public synchronized boolean completed() {
        return completed;
    }

    public synchronized GatewayException error() {
        return error;
    }
}
