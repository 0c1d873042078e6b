package dev.tollgate.formats.anthropic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns Anthropic's streamed events into canonical {@link StreamEvent}s. Feed it the data of each
 * server-sent event in order (its {@code type} field names the event, as the SSE event name does),
 * then call {@link #end()}. One reader per stream; not thread-safe.
 *
 * <p>Usage follows Anthropic's rule: {@code message_start} reports it first, and each counter a
 * {@code message_delta} carries replaces the one reported before (the counters are running totals).
 */
public final class AnthropicEventReader {

    private final Consumer<StreamEvent> sink;
    private final Warnings warnings;

    private boolean started;
    private boolean stopped;
    private final AnthropicWire.Counts counts = new AnthropicWire.Counts();
    private String stopReason;
    private String stopSequence;
    /** The canonical index of each Anthropic block index; -1 for a block that is not carried. */
    private final List<Integer> blocks = new ArrayList<>();
    private int nextBlock;
    private int openAnthropic = -1;
    private int openBlock = -1;
    private boolean openIsTool;
    private boolean openHasArguments;

    public AnthropicEventReader(Consumer<StreamEvent> sink, Warnings warnings) {
        this.sink = requireNonNull(sink, "sink is null");
        this.warnings = requireNonNull(warnings, "warnings is null");
    }

    /**
     * Reads one event's data and emits the canonical events it implies.
     *
     * @throws FormatException when the data is not a valid event, is an {@code error} event (its message
     *                         says which error), or breaks the event order
     */
    public void feed(byte[] bytes, int offset, int length) {
        if (stopped) {
            return;
        }
        String type = null;
        Integer index = null;
        ContentBlock block = null;
        boolean blockCarried = true;
        String deltaType = null;
        String text = null;
        String messageId = null;
        String messageModel = null;
        FormatException error = null;
        try (JsonReader r = JsonReader.of(bytes, offset, length)) {
            r.rootObject("an event");
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.string("type");
                    case "index" -> index = r.intOrNull("index");
                    case "message" -> {
                        r.object("message");
                        String g;
                        while ((g = r.nextField()) != null) {
                            switch (g) {
                                case "id" -> messageId = r.stringOrNull("message.id");
                                case "model" -> messageModel = r.stringOrNull("message.model");
                                case "usage" -> counts.read(r, "message.usage");
                                case "stop_reason" -> stopReason = r.stringOrNull("message.stop_reason");
                                default -> r.skip();
                            }
                        }
                    }
                    case "content_block" -> {
                        block = AnthropicWire.readBlock(r, "content_block", warnings);
                        if (block instanceof ContentBlock.Opaque o) {
                            warnings.unknown("dropped streamed block", o.type());
                            blockCarried = false;
                        }
                    }
                    case "delta" -> {
                        r.object("delta");
                        String g;
                        while ((g = r.nextField()) != null) {
                            switch (g) {
                                case "type" -> deltaType = r.string("delta.type");
                                case "text" -> text = r.stringOrNull("delta.text");
                                case "thinking" -> text = r.stringOrNull("delta.thinking");
                                case "signature" -> text = r.stringOrNull("delta.signature");
                                case "partial_json" -> text = r.stringOrNull("delta.partial_json");
                                case "stop_reason" -> stopReason = r.stringOrNull("delta.stop_reason");
                                case "stop_sequence" -> stopSequence = r.stringOrNull("delta.stop_sequence");
                                default -> r.skip();
                            }
                        }
                    }
                    case "usage" -> counts.read(r, "usage");
                    case "error" -> error = error(r);
                    default -> r.skip();
                }
            }
            r.end();
        }
        if (type == null) {
            throw new FormatException("an event needs a type", "type");
        }
        switch (type) {
            case "message_start" -> {
                if (started) {
                    throw new FormatException("message_start twice", "type");
                }
                started = true;
                sink.accept(new StreamEvent.MessageStart(messageId == null ? "" : messageId,
                        messageModel == null ? "" : messageModel, counts.any() ? counts.toUsage() : null));
            }
            case "content_block_start" -> blockStart(requireIndex(index), block, blockCarried);
            case "content_block_delta" -> blockDelta(requireIndex(index), deltaType, text);
            case "content_block_stop" -> blockStop(requireIndex(index));
            case "message_delta" -> requireStarted(type);
            case "message_stop" -> {
                requireStarted(type);
                if (openBlock >= 0) {
                    blockStop(openAnthropic);
                }
                stopped = true;
                sink.accept(new StreamEvent.MessageEnd(AnthropicWire.stopReason(stopReason, warnings), stopSequence,
                        counts.any() ? counts.toUsage() : null));
            }
            case "ping" -> { }
            case "error" -> throw error != null ? error : new FormatException("upstream stream error", "error");
            default -> warnings.unknown("unknown event", type);
        }
    }

    private static int requireIndex(Integer index) {
        if (index == null || index < 0) {
            throw new FormatException("the event needs a block index", "index");
        }
        return index;
    }

    private void requireStarted(String type) {
        if (!started) {
            throw new FormatException(type + " before message_start", "type");
        }
    }

    private void blockStart(int index, ContentBlock block, boolean carried) {
        requireStarted("content_block_start");
        if (block == null) {
            throw new FormatException("content_block_start needs a content_block", "content_block");
        }
        if (openBlock >= 0) {
            throw new FormatException("block " + index + " starts while block " + openAnthropic + " is open", "index");
        }
        while (blocks.size() <= index) {
            blocks.add(null);
        }
        if (blocks.get(index) != null) {
            throw new FormatException("block " + index + " started twice", "index");
        }
        if (!carried) {
            blocks.set(index, -1);
            return;
        }
        int canonical = nextBlock++;
        blocks.set(index, canonical);
        openAnthropic = index;
        openBlock = canonical;
        openIsTool = false;
        openHasArguments = false;
        if (block instanceof ContentBlock.ToolUse u) {
            openIsTool = true;
            // the start carries the whole input only when no input_json_delta follows; usually it is {}
            String initial = isEmptyObject(u.arguments()) ? "" : u.arguments();
            openHasArguments = !initial.isEmpty();
            block = new ContentBlock.ToolUse(u.id(), u.name(), initial);
        }
        sink.accept(new StreamEvent.BlockStart(canonical, block));
    }

    private static boolean isEmptyObject(String json) {
        int i = 0;
        int n = json.length();
        while (i < n && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        if (i == n || json.charAt(i) != '{') {
            return false;
        }
        i++;
        while (i < n && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        if (i == n || json.charAt(i) != '}') {
            return false;
        }
        i++;
        while (i < n && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        return i == n;
    }

    private int carried(int index, String event) {
        Integer canonical = index < blocks.size() ? blocks.get(index) : null;
        if (canonical == null) {
            throw new FormatException(event + " for block " + index + ", which has not started", "index");
        }
        if (canonical >= 0 && index != openAnthropic) {
            throw new FormatException(event + " for block " + index + ", which is not open", "index");
        }
        return canonical;
    }

    private void blockDelta(int index, String type, String text) {
        int canonical = carried(index, "content_block_delta");
        if (canonical < 0) {
            return;
        }
        if (type == null) {
            throw new FormatException("the delta needs a type", "delta.type");
        }
        switch (type) {
            case "text_delta" -> sink.accept(new StreamEvent.TextDelta(canonical, requireText(text, "delta.text")));
            case "thinking_delta" -> sink.accept(new StreamEvent.ThinkingDelta(canonical, requireText(text, "delta.thinking")));
            case "signature_delta" -> sink.accept(new StreamEvent.SignatureDelta(canonical,
                    requireText(text, "delta.signature")));
            case "input_json_delta" -> {
                String json = requireText(text, "delta.partial_json");
                if (!json.isEmpty()) {
                    openHasArguments = true;
                    sink.accept(new StreamEvent.ToolArgumentsDelta(canonical, json));
                }
            }
            default -> warnings.unknown("dropped delta", type);
        }
    }

    private static String requireText(String text, String param) {
        if (text == null) {
            throw new FormatException(param + " is required", param);
        }
        return text;
    }

    private void blockStop(int index) {
        int canonical = carried(index, "content_block_stop");
        if (canonical < 0) {
            return;
        }
        if (openIsTool && !openHasArguments) {
            // a call without arguments: Anthropic's input is {}, which OpenAI-style clients need as text
            sink.accept(new StreamEvent.ToolArgumentsDelta(canonical, "{}"));
        }
        sink.accept(new StreamEvent.BlockStop(canonical));
        openBlock = -1;
        openAnthropic = -1;
    }

    /**
     * The upstream stream is over.
     *
     * @throws FormatException when {@code message_stop} never came: the stream was cut short
     *                         ({@link #usage()} still tells what was reported)
     */
    public void end() {
        if (!stopped) {
            throw new FormatException("stream ended before the answer was complete", null);
        }
    }

    /** The usage reported so far, in the canonical convention, for accounting a stream that did not complete. */
    public Optional<Usage> usage() {
        return counts.any() ? Optional.of(counts.toUsage()) : Optional.empty();
    }

    /** Reads an {@code error} object (cursor on it) into the exception that reports it. */
    static FormatException error(JsonReader r) {
        String type = null;
        String message = null;
        if (r.token() == JsonToken.START_OBJECT) {
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "type" -> type = r.isString() ? r.string("error.type") : r.raw().json();
                    case "message" -> message = r.isString() ? r.string("error.message") : r.raw().json();
                    default -> r.skip();
                }
            }
        } else {
            message = r.raw().json();
        }
        return new FormatException("upstream error" + (type == null ? "" : " " + type) + ": " + message, "error");
    }
}
