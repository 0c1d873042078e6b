package dev.tollgate.spi.testkit;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.StreamSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link StreamSink} that records what an adapter delivered and checks the sink contract: only
 * canonical or only native events, headers only before the first event, canonical events in the
 * documented order (one message start first, blocks that start before their deltas and stop before
 * the next starts, one message end last), nothing after the end, and only one end.
 */
public final class RecordingStreamSink implements StreamSink {

    /** A pass-through event as the adapter delivered it. */
    public record NativeEvent(String name, Bytes data) {
        public String text() {
            return data.utf8();
        }
    }

    private final List<StreamEvent> events = new ArrayList<>();
    private final List<NativeEvent> nativeEvents = new ArrayList<>();
    private final List<Long> arrivalNanos = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private Headers headers = Headers.EMPTY;
    private Observation observed = Observation.NONE;
    private boolean completed;
    private GatewayException error;
    private String contractViolation;
    private int openBlock = -1;
    private int nextBlock;
    private boolean messageStarted;
    private boolean messageEnded;

    @Override
    public synchronized void headers(Headers headers) {
        checkOpen("headers");
        if (!events.isEmpty() || !nativeEvents.isEmpty()) {
            violation("headers after the first event");
        }
        this.headers = headers;
    }

    @Override
    public synchronized void event(StreamEvent event) {
        checkOpen("event");
        if (!nativeEvents.isEmpty()) {
            violation("a canonical event after native ones");
        }
        checkOrder(event);
        events.add(event);
        arrivalNanos.add(System.nanoTime());
    }

    @Override
    public synchronized void nativeEvent(String name, Bytes data) {
        checkOpen("nativeEvent");
        if (!events.isEmpty()) {
            violation("a native event after canonical ones");
        }
        nativeEvents.add(new NativeEvent(name, data));
        arrivalNanos.add(System.nanoTime());
    }

    @Override
    public synchronized void observe(Observation observation) {
        checkOpen("observe");
        observed = observed.merge(observation);
    }

    @Override
    public synchronized void complete() {
        checkOpen("complete");
        if (!events.isEmpty() && !messageEnded) {
            violation("complete without a MessageEnd");
        }
        completed = true;
        ended.countDown();
    }

    @Override
    public synchronized void fail(GatewayException error) {
        checkOpen("fail");
        this.error = error;
        ended.countDown();
    }

    private void checkOrder(StreamEvent e) {
        if (messageEnded) {
            violation("an event after MessageEnd: " + e);
            return;
        }
        switch (e) {
            case StreamEvent.MessageStart s -> {
                if (messageStarted) {
                    violation("a second MessageStart");
                }
                messageStarted = true;
            }
            case StreamEvent.BlockStart s -> {
                requireStarted(e);
                if (openBlock >= 0) {
                    violation("block " + s.index() + " started while block " + openBlock + " is open");
                }
                if (s.index() != nextBlock) {
                    violation("block " + s.index() + " started, expected " + nextBlock);
                }
                openBlock = s.index();
                nextBlock++;
            }
            case StreamEvent.BlockStop s -> {
                requireOpen(s.index(), e);
                openBlock = -1;
            }
            case StreamEvent.TextDelta d -> requireOpen(d.index(), e);
            case StreamEvent.ThinkingDelta d -> requireOpen(d.index(), e);
            case StreamEvent.SignatureDelta d -> requireOpen(d.index(), e);
            case StreamEvent.ToolArgumentsDelta d -> requireOpen(d.index(), e);
            case StreamEvent.MessageEnd m -> {
                requireStarted(e);
                if (openBlock >= 0) {
                    violation("MessageEnd while block " + openBlock + " is open");
                }
                messageEnded = true;
            }
        }
    }

    private void requireStarted(StreamEvent e) {
        if (!messageStarted) {
            violation(e + " before MessageStart");
        }
    }

    private void requireOpen(int index, StreamEvent e) {
        if (openBlock != index) {
            violation(e + " for block " + index + ", but the open block is " + openBlock);
        }
    }

    private void checkOpen(String what) {
        if (completed || error != null) {
            violation(what + " after the stream ended");
        }
    }

    private void violation(String what) {
        if (contractViolation == null) {
            contractViolation = what;
        }
    }

    /** Waits until the stream completed or failed; fails the test on a contract violation. */
    public RecordingStreamSink awaitEnd(Duration timeout) {
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
                throw new AssertionError("StreamSink contract violated: " + contractViolation);
            }
        }
        return this;
    }

    public synchronized List<StreamEvent> events() {
        return List.copyOf(events);
    }

    public synchronized List<NativeEvent> nativeEvents() {
        return List.copyOf(nativeEvents);
    }

    /** The data of the native events as UTF-8 strings. */
    public synchronized List<String> nativeTexts() {
        return nativeEvents.stream().map(NativeEvent::text).toList();
    }

    public synchronized List<Long> arrivalNanos() {
        return List.copyOf(arrivalNanos);
    }

    /** The concatenated text deltas. */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.TextDelta d) {
                sb.append(d.text());
            }
        }
        return sb.toString();
    }

    /** Each tool call of the stream, reassembled from its start and its argument deltas. */
    public synchronized List<ContentBlock.ToolUse> toolCalls() {
        List<ContentBlock.ToolUse> out = new ArrayList<>();
        ContentBlock.ToolUse open = null;
        StringBuilder args = null;
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.BlockStart s && s.block() instanceof ContentBlock.ToolUse u) {
                open = u;
                args = new StringBuilder(u.arguments());
            } else if (e instanceof StreamEvent.ToolArgumentsDelta d && open != null) {
                args.append(d.json());
            } else if (e instanceof StreamEvent.BlockStop && open != null) {
                out.add(new ContentBlock.ToolUse(open.id(), open.name(), args.toString()));
                open = null;
            }
        }
        return out;
    }

    /** The usage of the MessageEnd event, else the observed one, else null. */
    public synchronized Usage usage() {
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.MessageEnd m && m.usage() != null) {
                return m.usage();
            }
        }
        return observed.observedUsage().orElse(null);
    }

    public synchronized Observation observed() {
        return observed;
    }

    public synchronized Headers headers() {
        return headers;
    }

    public synchronized boolean completed() {
        return completed;
    }

    public synchronized GatewayException error() {
        return error;
    }
}
