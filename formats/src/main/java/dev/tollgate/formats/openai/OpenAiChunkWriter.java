package dev.tollgate.formats.openai;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import java.util.function.Consumer;

/**
 * Renders canonical {@link StreamEvent}s as {@code chat.completion.chunk} JSON payloads for a client,
 * without the server-sent-event framing and without the final {@code [DONE]}, which the caller writes.
 * One writer per stream; not thread-safe.
 */
public final class OpenAiChunkWriter {

    static final SerializedString FINISH_REASON = new SerializedString("finish_reason");
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString OBJECT = new SerializedString("object");
    private static final SerializedString CHUNK = new SerializedString("chat.completion.chunk");
    private static final SerializedString CREATED = new SerializedString("created");
    private static final SerializedString MODEL = new SerializedString("model");
    private static final SerializedString CHOICES = new SerializedString("choices");
    private static final SerializedString INDEX = new SerializedString("index");
    private static final SerializedString DELTA = new SerializedString("delta");
    private static final SerializedString LOGPROBS = new SerializedString("logprobs");
    private static final SerializedString ROLE = new SerializedString("role");
    private static final SerializedString ASSISTANT = new SerializedString("assistant");
    private static final SerializedString CONTENT = new SerializedString("content");
    private static final SerializedString REASONING_CONTENT = new SerializedString("reasoning_content");
    private static final SerializedString TOOL_CALLS = new SerializedString("tool_calls");
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString FUNCTION = new SerializedString("function");
    private static final SerializedString NAME = new SerializedString("name");
    private static final SerializedString ARGUMENTS = new SerializedString("arguments");
    private static final SerializedString USAGE = new SerializedString("usage");

    private final SerializedString model;
    private final long created;
    private final boolean includeUsage;
    private final Consumer<byte[]> sink;
    private final Warnings warnings;
    private final JsonWriter w = new JsonWriter(256);

    private SerializedString id;
    private int openBlock = -1;
    private ContentBlock.Kind openKind;
    private int toolCount;
    private boolean ended;

    /**
     * @param clientModel  the model name the client asked for, written in every chunk
     * @param created      the {@code created} timestamp of every chunk, epoch seconds
     * @param includeUsage whether to write the usage chunk (with {@code "choices":[]}) after the finish chunk
     * @param sink         receives each chunk's JSON
     */
    public OpenAiChunkWriter(String clientModel, long created, boolean includeUsage,
            Consumer<byte[]> sink, Warnings warnings) {
        this.model = new SerializedString(requireNonNull(clientModel, "clientModel is null"));
        this.created = created;
        this.includeUsage = includeUsage;
        this.sink = requireNonNull(sink, "sink is null");
        this.warnings = Warnings.once(requireNonNull(warnings, "warnings is null"));
    }

    /** Writes the chunks of one event (none, one, or for the end two). */
    public void write(StreamEvent event) {
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
        if (id == null && !(event instanceof StreamEvent.MessageStart)) {
            throw new IllegalStateException("a stream begins with MessageStart, not " + event);
        }
        switch (event) {
            case StreamEvent.MessageStart s -> {
                if (id != null) {
                    throw new IllegalStateException("MessageStart twice");
                }
                id = new SerializedString(s.id());
                open();
                w.field(ROLE).value(ASSISTANT).field(CONTENT).value("");
                close(null);
            }
            case StreamEvent.BlockStart s -> start(s);
            case StreamEvent.TextDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.TEXT);
                content(CONTENT, d.text());
            }
            case StreamEvent.ThinkingDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.THINKING);
                content(REASONING_CONTENT, d.thinking());
            }
            case StreamEvent.SignatureDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.THINKING);
                warnings.unknown("dropped thinking signature", "stream");
            }
            case StreamEvent.ToolArgumentsDelta d -> {
                requireOpen(d.index(), ContentBlock.Kind.TOOL_USE);
                if (!d.json().isEmpty()) {
                    open();
                    w.field(TOOL_CALLS).startArray().startObject().field(INDEX).value(toolCount - 1)
                            .field(FUNCTION).startObject().field(ARGUMENTS).value(d.json()).endObject()
                            .endObject().endArray();
                    close(null);
                }
            }
            case StreamEvent.BlockStop s -> {
                if (s.index() != openBlock) {
                    throw new IllegalStateException("block " + s.index() + " is not open");
                }
                openBlock = -1;
                openKind = null;
            }
            case StreamEvent.MessageEnd e -> {
                ended = true;
                open();
                close(OpenAiWire.finishReason(e.stopReason()));
                if (e.stopReason() == StopReason.PAUSE) {
                    warnings.unknown("stop reason carried as stop", "PAUSE");
                }
                if (includeUsage && e.usage() != null) {
                    prefix();
                    w.startArray().endArray().field(USAGE);
                    OpenAiWire.writeUsage(w, e.usage());
                    w.endObject();
                    sink.accept(w.take());
                }
            }
        }
    }

    private void start(StreamEvent.BlockStart s) {
        if (openBlock >= 0) {
            throw new IllegalStateException("block " + openBlock + " is still open");
        }
        openBlock = s.index();
        openKind = s.block().kind();
        switch (s.block()) {
            case ContentBlock.Text t -> content(CONTENT, t.text());
            case ContentBlock.Thinking t -> {
                content(REASONING_CONTENT, t.thinking());
                if (t.signature() != null && !t.signature().isEmpty()) {
                    warnings.unknown("dropped thinking signature", "stream");
                }
            }
            case ContentBlock.ToolUse u -> {
                open();
                w.field(TOOL_CALLS).startArray().startObject().field(INDEX).value(toolCount++)
                        .field(ID).value(u.id()).field(TYPE).value(FUNCTION)
                        .field(FUNCTION).startObject().field(NAME).value(u.name()).field(ARGUMENTS).value(u.arguments())
                        .endObject().endObject().endArray();
                close(null);
            }
            case ContentBlock.RedactedThinking r -> warnings.unknown("dropped redacted thinking", "stream");
            default -> throw new IllegalStateException("a stream has no " + s.block().kind() + " blocks");
        }
    }

    private void requireOpen(int index, ContentBlock.Kind kind) {
        if (index != openBlock || openKind != kind) {
            throw new IllegalStateException("no open " + kind + " block " + index);
        }
    }

    private void content(SerializedString field, String text) {
        if (!text.isEmpty()) {
            open();
            w.field(field).value(text);
            close(null);
        }
    }

    private void prefix() {
        w.startObject().field(ID).value(id).field(OBJECT).value(CHUNK).field(CREATED).value(created)
                .field(MODEL).value(model).field(CHOICES);
    }

    /** Starts a chunk up to the inside of its delta. */
    private void open() {
        prefix();
        w.startArray().startObject().field(INDEX).value(0).field(DELTA).startObject();
    }

    /** Ends the delta and the chunk, and hands the chunk on. */
    private void close(SerializedString finishReason) {
        w.endObject().field(LOGPROBS).nullValue().field(FINISH_REASON);
        if (finishReason == null) {
            w.nullValue();
        } else {
            w.value(finishReason);
        }
        w.endObject().endArray().endObject();
        sink.accept(w.take());
    }
}
