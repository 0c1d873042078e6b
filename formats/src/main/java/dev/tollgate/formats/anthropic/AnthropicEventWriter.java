package dev.tollgate.formats.anthropic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import java.util.function.BiConsumer;

/**
 * Renders canonical {@link StreamEvent}s as Anthropic's named stream events, each handed on as its
 * event name and data JSON (the caller writes the SSE framing). One writer per stream; not thread-safe.
 *
 * <p>Two rules come from how clients accumulate a stream (the official SDKs): a
 * {@code signature_delta} sets a thinking block's signature rather than appending to it, so the
 * signature is collected and sent as one delta just before the block's {@code content_block_stop};
 * and each counter in {@code message_delta.usage} replaces the one from {@code message_start}, so the
 * final {@code message_delta} carries every counter of the whole call, which is how usage known only
 * at the end (from OpenAI upstreams) reaches the client.
 */
public final class AnthropicEventWriter {

    public static final String MESSAGE_START = "message_start";
    public static final String CONTENT_BLOCK_START = "content_block_start";
    public static final String CONTENT_BLOCK_DELTA = "content_block_delta";
    public static final String CONTENT_BLOCK_STOP = "content_block_stop";
    public static final String MESSAGE_DELTA = "message_delta";
    public static final String MESSAGE_STOP = "message_stop";

    private static final SerializedString TYPE = AnthropicWire.TYPE;
    private static final SerializedString INDEX = AnthropicWire.INDEX;
    private static final SerializedString DELTA = new SerializedString("delta");
    private static final SerializedString CONTENT_BLOCK = new SerializedString("content_block");
    private static final SerializedString START = new SerializedString(CONTENT_BLOCK_START);
    private static final SerializedString DELTA_EVENT = new SerializedString(CONTENT_BLOCK_DELTA);
    private static final SerializedString STOP = new SerializedString(CONTENT_BLOCK_STOP);
    private static final SerializedString TEXT = new SerializedString("text");
    private static final SerializedString TEXT_DELTA = new SerializedString("text_delta");
    private static final SerializedString THINKING = new SerializedString("thinking");
    private static final SerializedString THINKING_DELTA = new SerializedString("thinking_delta");
    private static final SerializedString SIGNATURE = new SerializedString("signature");
    private static final SerializedString SIGNATURE_DELTA = new SerializedString("signature_delta");
    private static final SerializedString INPUT_JSON_DELTA = new SerializedString("input_json_delta");
    private static final SerializedString PARTIAL_JSON = new SerializedString("partial_json");

    private final String model;
    private final BiConsumer<String, byte[]> sink;
    private final Warnings warnings;
    private final JsonWriter w = new JsonWriter(256);

    private boolean started;
    private boolean ended;
    private int openBlock = -1;
    private ContentBlock.Kind openKind;
    private StringBuilder signature;

    /**
     * @param clientModel the model name the client asked for
     * @param sink        receives each event's name and data JSON
     */
    public AnthropicEventWriter(String clientModel, BiConsumer<String, byte[]> sink, Warnings warnings) {
        this.model = requireNonNull(clientModel, "clientModel is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.warnings = Warnings.once(requireNonNull(warnings, "warnings is null"));
    }

    /** Writes the events of one canonical event. */
    public void write(StreamEvent event) {
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
        if (!started && !(event instanceof StreamEvent.MessageStart)) {
            throw new IllegalStateException("a stream begins with MessageStart, not " + event);
        }
        switch (event) {
            case StreamEvent.MessageStart s -> {
                if (started) {
                    throw new IllegalStateException("MessageStart twice");
                }
                started = true;
                Usage u = s.usage() == null ? Usage.of(0, 0) : s.usage();
                w.startObject().field(TYPE).value(MESSAGE_START).field("message").startObject()
                        .field("id", s.id()).field("type", "message").field("role", "assistant").field("model", model)
                        .field("content").startArray().endArray()
                        .field("stop_reason").nullValue().field("stop_sequence").nullValue()
                        .field("usage").startObject();
                AnthropicWire.writeUsageFields(w, u);
                w.endObject().endObject().endObject();
                sink.accept(MESSAGE_START, w.take());
            }
            case StreamEvent.BlockStart s -> start(s);
            case StreamEvent.TextDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.TEXT);
                delta(d.index(), TEXT_DELTA, TEXT, d.text());
            }
            case StreamEvent.ThinkingDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.THINKING);
                delta(d.index(), THINKING_DELTA, THINKING, d.thinking());
            }
            case StreamEvent.SignatureDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.THINKING);
                signature.append(d.signature());
            }
            case StreamEvent.ToolArgumentsDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.TOOL_USE);
                delta(d.index(), INPUT_JSON_DELTA, PARTIAL_JSON, d.json());
            }
            case StreamEvent.BlockStop s -> {
                if (s.index() != openBlock) {
                    throw new IllegalStateException("block " + s.index() + " is not open");
                }
                if (signature != null && !signature.isEmpty()) {
                    delta(s.index(), SIGNATURE_DELTA, SIGNATURE, signature.toString());
                }
                signature = null;
                w.startObject().field(TYPE).value(STOP).field(INDEX).value(s.index()).endObject();
                sink.accept(CONTENT_BLOCK_STOP, w.take());
                openBlock = -1;
                openKind = null;
            }
            case StreamEvent.MessageEnd e -> {
                if (openBlock >= 0) {
                    throw new IllegalStateException("block " + openBlock + " is still open");
                }
                ended = true;
                w.startObject().field(TYPE).value(MESSAGE_DELTA).field("delta").startObject()
                        .field("stop_reason", AnthropicWire.stopReason(e.stopReason(), warnings))
                        .field("stop_sequence", e.stopSequence()).endObject().field("usage").startObject();
                if (e.usage() != null) {
                    AnthropicWire.writeUsageFields(w, e.usage());
                } else {
                    warnings.unknown("usage unknown at the end of the stream", "usage");
                    w.field(AnthropicWire.OUTPUT_TOKENS).value(0);
                }
                w.endObject().endObject();
                sink.accept(MESSAGE_DELTA, w.take());
                w.startObject().field(TYPE).value(MESSAGE_STOP).endObject();
                sink.accept(MESSAGE_STOP, w.take());
            }
        }
    }

    private void start(StreamEvent.BlockStart s) {
        if (openBlock >= 0) {
            throw new IllegalStateException("block " + openBlock + " is still open");
        }
        int index = s.index();
        openBlock = index;
        openKind = s.block().kind();
        w.startObject().field(TYPE).value(START).field(INDEX).value(index).field(CONTENT_BLOCK).startObject();
        String initial = "";
        SerializedString deltaType = null;
        SerializedString deltaField = null;
        switch (s.block()) {
            case ContentBlock.Text t -> {
                w.field(TYPE).value(TEXT).field(TEXT).value("");
                initial = t.text();
                deltaType = TEXT_DELTA;
                deltaField = TEXT;
            }
            case ContentBlock.Thinking t -> {
                w.field(TYPE).value(THINKING).field(THINKING).value("").field(SIGNATURE).value("");
                initial = t.thinking();
                deltaType = THINKING_DELTA;
                deltaField = THINKING;
                signature = new StringBuilder(t.signature() == null ? "" : t.signature());
            }
            case ContentBlock.ToolUse u -> {
                w.field(TYPE).value("tool_use").field("id", u.id()).field("name", u.name()).field("input").raw("{}");
                initial = u.arguments();
                deltaType = INPUT_JSON_DELTA;
                deltaField = PARTIAL_JSON;
            }
            case ContentBlock.RedactedThinking r -> w.field(TYPE).value("redacted_thinking").field("data", r.data());
            default -> throw new IllegalStateException("a stream has no " + s.block().kind() + " blocks");
        }
        w.endObject().endObject();
        sink.accept(CONTENT_BLOCK_START, w.take());
        if (deltaType != null) {
            delta(index, deltaType, deltaField, initial);
        }
    }

    private void requireOpen(int index, ContentBlock.Kind kind) {
        if (index != openBlock || openKind != kind) {
            throw new IllegalStateException("no open " + kind + " block " + index);
        }
    }

    private void delta(int index, SerializedString type, SerializedString field, String text) {
        if (text.isEmpty()) {
            return;
        }
        w.startObject().field(TYPE).value(DELTA_EVENT).field(INDEX).value(index).field(DELTA).startObject()
                .field(TYPE).value(type).field(field).value(text).endObject().endObject();
        sink.accept(CONTENT_BLOCK_DELTA, w.take());
    }
}
