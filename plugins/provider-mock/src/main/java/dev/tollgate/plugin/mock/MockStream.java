package dev.tollgate.plugin.mock;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.time.Ticker;
import java.time.Duration;

/**
 * One stream in progress: each run emits what is due and schedules itself for the next piece.
 * Piece {@code i} is due {@code i} intervals after the first run, so scheduling delays do not
 * accumulate. A text answer's pieces are its words; a tool call's are three slices of its arguments.
 */
final class MockStream implements Runnable {

    private final ProviderCall call;
    private final StreamSink sink;
    private final Ticker ticker;
    private final String id;
    private final String toolCallId;
    private final String model;
    private final Answer answer;
    private final Usage usage;
    private final long intervalNanos;
    private final int failAt;
    private final GatewayException failure;
    private final String[] pieces;
    private long startNanos;
    private int next = -1;

    /**
     * @param failAfterTokens pieces to send before {@code failure}; -1 never fails
     */
    MockStream(ProviderCall call, StreamSink sink, Ticker ticker, String id, String toolCallId, String model, Answer answer,
            Usage usage, long intervalNanos, int failAfterTokens, GatewayException failure) {
        this.call = call;
        this.sink = sink;
        this.ticker = ticker;
        this.id = id;
        this.toolCallId = toolCallId;
        this.model = model;
        this.answer = answer;
        this.usage = usage;
        this.intervalNanos = intervalNanos;
        this.pieces = answer.isToolCall() ? thirds(answer.toolArguments()) : words(answer);
        this.failAt = failAfterTokens < 0 ? -1 : Math.min(failAfterTokens, pieces.length);
        this.failure = failure;
    }

    @Override
    public void run() {
        if (call.isCancelled()) {
            return;
        }
        if (next < 0) {
            startNanos = ticker.nanoTime();
            // like Anthropic: the prompt's tokens are known at the start, the output's at the end
            sink.event(new StreamEvent.MessageStart(id, model,
                    usage == null ? null : usage.toBuilder().outputTokens(0).reasoningTokens(0).build()));
            sink.event(new StreamEvent.BlockStart(0, answer.isToolCall()
                    ? new ContentBlock.ToolUse(toolCallId, answer.toolName(), "")
                    : ContentBlock.Text.of("")));
            next = 0;
        }
        while (true) {
            if (next == failAt) {
                sink.fail(failure);
                return;
            }
            if (next == pieces.length) {
                sink.event(new StreamEvent.BlockStop(0));
                sink.event(new StreamEvent.MessageEnd(answer.stopReason(), null, usage));
                sink.complete();
                return;
            }
            sink.event(answer.isToolCall()
                    ? new StreamEvent.ToolArgumentsDelta(0, pieces[next])
                    : new StreamEvent.TextDelta(0, pieces[next]));
            next++;
            if (call.isCancelled()) {
                return;
            }
            if (intervalNanos > 0 && next < pieces.length && next != failAt) {
                long delay = startNanos + next * intervalNanos - ticker.nanoTime();
                call.schedule(Duration.ofNanos(Math.max(0, delay)), this);
                return;
            }
        }
    }

    /** Every word but the first carries the space that separates it from the previous one. */
    private static String[] words(Answer answer) {
        String[] out = new String[answer.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = i == 0 ? answer.word(0) : " " + answer.word(i);
        }
        return out;
    }

    private static String[] thirds(String s) {
        int a = s.length() / 3;
        int b = 2 * s.length() / 3;
        return new String[] {s.substring(0, a), s.substring(a, b), s.substring(b)};
    }
}
