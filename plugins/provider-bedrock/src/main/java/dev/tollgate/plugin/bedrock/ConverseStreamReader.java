package dev.tollgate.plugin.bedrock;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import java.util.function.Consumer;

/**
 * Turns ConverseStream events into canonical {@link StreamEvent}s.
 *
 * <p>Converse numbers its blocks ({@code contentBlockIndex}) and opens text and reasoning blocks
 * implicitly with their first {@code contentBlockDelta} (only tool use has a {@code contentBlockStart},
 * carrying the call's id and name); the canonical stream numbers blocks from 0 in the order they start,
 * one open at a time, so a delta for another block closes the open one first. The answer ends with
 * {@code messageStop} (the stop reason) and then {@code metadata} (the usage): {@link StreamEvent.MessageEnd}
 * goes out when both arrived, or at the end of the stream when the usage never came. Unknown events and
 * delta kinds are reported to {@link Warnings} and skipped; events out of order are a malformed stream.
 */
final class ConverseStreamReader {

    private enum Open { NONE, TEXT, THINKING, TOOL, REDACTED }

    private final Consumer<StreamEvent> sink;
    private final Warnings warnings;
    private final String id;
    private final String model;
    private boolean started;
    private boolean ended;
    private int nextIndex;
    private Open open = Open.NONE;
    private int openIndex = -1;
    private int openUpstreamIndex = -1;
    private StopReason stop;
    private String stopSequence;
    private Usage usage;
    private boolean metadata;

    ConverseStreamReader(Consumer<StreamEvent> sink, String id, String model, Warnings warnings) {
        this.sink = sink;
        this.id = id;
        this.model = model;
        this.warnings = warnings;
    }

    /** Whether {@link StreamEvent.MessageEnd} was sent. */
    boolean ended() {
        return ended;
    }

    /** Whether {@code messageStop} arrived (the answer is complete but for its usage). */
    boolean stopped() {
        return stop != null;
    }

    /**
     * One event's JSON payload.
     *
     * @throws FormatException when the event is not what Converse sends, or comes out of order
     */
    void event(String type, byte[] payload) {
        if (ended) {
            return;
        }
        if (!started && !"messageStart".equals(type)) {
            throw new FormatException("the stream did not begin with messageStart but " + type, type);
        }
        try (JsonReader r = JsonReader.of(payload, 0, payload.length)) {
            r.rootObject(type);
            switch (type) {
                case "messageStart" -> messageStart(r);
                case "contentBlockStart" -> contentBlockStart(r);
                case "contentBlockDelta" -> contentBlockDelta(r);
                case "contentBlockStop" -> contentBlockStop(r);
                case "messageStop" -> messageStop(r);
                case "metadata" -> metadata(r);
                default -> {
                    warnings.unknown("unknown stream event skipped", type);
                    r.skip();
                }
            }
        }
    }

    /** The upstream closed after {@code messageStop} without {@code metadata}: ends the answer without usage. */
    void endWithoutUsage() {
        if (!ended && stop != null) {
            ended = true;
            sink.accept(new StreamEvent.MessageEnd(stop, stopSequence, usage));
        }
    }

    private void messageStart(JsonReader r) {
        if (started) {
            throw new FormatException("a second messageStart", "messageStart");
        }
        started = true;
        skipAll(r);
        sink.accept(new StreamEvent.MessageStart(id, model, null));
    }

    private void contentBlockStart(JsonReader r) {
        int index = -1;
        String toolId = null;
        String name = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "contentBlockIndex" -> index = index(r, "contentBlockStart");
                case "start" -> {
                    r.object("contentBlockStart.start");
                    String g;
                    while ((g = r.nextField()) != null) {
                        if (g.equals("toolUse")) {
                            r.object("contentBlockStart.start.toolUse");
                            String h;
                            while ((h = r.nextField()) != null) {
                                switch (h) {
                                    case "toolUseId" -> toolId = r.string("contentBlockStart.start.toolUse.toolUseId");
                                    case "name" -> name = r.string("contentBlockStart.start.toolUse.name");
                                    default -> r.skip();
                                }
                            }
                        } else {
                            warnings.unknown("unknown block start skipped", g);
                            r.skip();
                        }
                    }
                }
                default -> r.skip();
            }
        }
        if (toolId == null || name == null) {
            return;
        }
        open(index, Open.TOOL, new ContentBlock.ToolUse(toolId, name, ""));
    }

    private void contentBlockDelta(JsonReader r) {
        int index = -1;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "contentBlockIndex" -> index = index(r, "contentBlockDelta");
                case "delta" -> delta(r, index);
                default -> r.skip();
            }
        }
    }

    /** A delta; Converse writes {@code contentBlockIndex} before {@code delta}, which this relies on. */
    private void delta(JsonReader r, int index) {
        if (index < 0) {
            throw new FormatException("contentBlockDelta names no contentBlockIndex before its delta", "contentBlockDelta");
        }
        r.object("contentBlockDelta.delta");
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "text" -> {
                    String text = r.string("contentBlockDelta.delta.text");
                    ensureOpen(index, Open.TEXT);
                    sink.accept(new StreamEvent.TextDelta(openIndex, text));
                }
                case "toolUse" -> {
                    String input = "";
                    r.object("contentBlockDelta.delta.toolUse");
                    String g;
                    while ((g = r.nextField()) != null) {
                        if (g.equals("input")) {
                            input = r.string("contentBlockDelta.delta.toolUse.input");
                        } else {
                            r.skip();
                        }
                    }
                    if (open != Open.TOOL || openUpstreamIndex != index) {
                        throw new FormatException("a tool input delta for block " + index + ", which no contentBlockStart opened",
                                "contentBlockDelta");
                    }
                    if (!input.isEmpty()) {
                        sink.accept(new StreamEvent.ToolArgumentsDelta(openIndex, input));
                    }
                }
                case "reasoningContent" -> reasoningDelta(r, index);
                default -> {
                    warnings.unknown("unknown stream delta skipped", f);
                    r.skip();
                }
            }
        }
    }

    private void reasoningDelta(JsonReader r, int index) {
        r.object("contentBlockDelta.delta.reasoningContent");
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "text" -> {
                    String text = r.string("contentBlockDelta.delta.reasoningContent.text");
                    ensureOpen(index, Open.THINKING);
                    sink.accept(new StreamEvent.ThinkingDelta(openIndex, text));
                }
                case "signature" -> {
                    String signature = r.string("contentBlockDelta.delta.reasoningContent.signature");
                    ensureOpen(index, Open.THINKING);
                    sink.accept(new StreamEvent.SignatureDelta(openIndex, signature));
                }
                case "redactedContent" -> {
                    String data = r.string("contentBlockDelta.delta.reasoningContent.redactedContent");
                    open(index, Open.REDACTED, new ContentBlock.RedactedThinking(data));
                }
                default -> {
                    warnings.unknown("unknown reasoning delta skipped", f);
                    r.skip();
                }
            }
        }
    }

    private void contentBlockStop(JsonReader r) {
        int index = -1;
        String f;
        while ((f = r.nextField()) != null) {
            if (f.equals("contentBlockIndex")) {
                index = index(r, "contentBlockStop");
            } else {
                r.skip();
            }
        }
        if (open != Open.NONE && openUpstreamIndex == index) {
            close();
        }
    }

    private void messageStop(JsonReader r) {
        close();
        String reason = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "stopReason" -> reason = r.string("messageStop.stopReason");
                case "additionalModelResponseFields" -> stopSequence = ConverseResponses.stopSequence(r);
                default -> r.skip();
            }
        }
        if (reason == null) {
            throw new FormatException("messageStop has no stopReason", "messageStop.stopReason");
        }
        stop = ConverseResponses.stopReason(reason, warnings);
        if (stop != StopReason.STOP_SEQUENCE) {
            stopSequence = null;
        }
        if (metadata) {
            end();
        }
    }

    private void metadata(JsonReader r) {
        String f;
        while ((f = r.nextField()) != null) {
            if (f.equals("usage")) {
                usage = ConverseResponses.usage(r, "metadata.usage");
            } else {
                r.skip();
            }
        }
        metadata = true;
        if (stop != null) {
            end();
        }
    }

    private void end() {
        ended = true;
        sink.accept(new StreamEvent.MessageEnd(stop, stopSequence, usage));
    }

    private void ensureOpen(int upstreamIndex, Open kind) {
        if (open == kind && openUpstreamIndex == upstreamIndex) {
            return;
        }
        open(upstreamIndex, kind, kind == Open.TEXT ? ContentBlock.Text.of("") : new ContentBlock.Thinking("", null));
    }

    private void open(int upstreamIndex, Open kind, ContentBlock initial) {
        if (stop != null) {
            throw new FormatException("a content block after messageStop", "contentBlockIndex");
        }
        close();
        open = kind;
        openIndex = nextIndex++;
        openUpstreamIndex = upstreamIndex;
        sink.accept(new StreamEvent.BlockStart(openIndex, initial));
        if (kind == Open.REDACTED) {
            close();
        }
    }

    private void close() {
        if (open != Open.NONE) {
            sink.accept(new StreamEvent.BlockStop(openIndex));
            open = Open.NONE;
            openUpstreamIndex = -1;
        }
    }

    private static int index(JsonReader r, String at) {
        Integer i = r.intOrNull(at + ".contentBlockIndex");
        if (i == null || i < 0) {
            throw new FormatException(at + ".contentBlockIndex must be a non-negative integer", at + ".contentBlockIndex");
        }
        return i;
    }

    private static void skipAll(JsonReader r) {
        while (r.nextField() != null) {
            r.skip();
        }
    }
}
