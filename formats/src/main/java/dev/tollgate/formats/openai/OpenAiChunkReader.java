package dev.tollgate.formats.openai;

import static java.util.Objects.requireNonNull;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns an upstream's {@code chat.completion.chunk} stream into canonical {@link StreamEvent}s. Feed it
 * the data of each server-sent event except {@code [DONE]}, in order, then call {@link #end()}. One
 * reader per stream; not thread-safe.
 *
 * <p>OpenAI streams parallel tool calls one after the other, each identified by its {@code index}; the
 * canonical stream has one open block at a time, so a call whose block was already stopped cannot get
 * more arguments, and a stream that tries is refused.
 */
public final class OpenAiChunkReader {

    private enum Open { NONE, TEXT, THINKING, TOOL }

    private final Consumer<StreamEvent> sink;
    private final Warnings warnings;

    private String id;
    private String model;
    private boolean started;
    private boolean ended;
    private int nextBlock;
    private int openBlock = -1;
    private Open open = Open.NONE;
    /** The canonical block index of each OpenAI tool call, by the call's {@code index}. */
    private final List<Integer> toolBlocks = new ArrayList<>();
    private final List<String> toolIds = new ArrayList<>();
    private int openTool = -1;
    private String finishReason;
    private boolean refused;
    private Usage usage;

    private final Delta delta = new Delta();

    public OpenAiChunkReader(Consumer<StreamEvent> sink, Warnings warnings) {
        this.sink = requireNonNull(sink, "sink is null");
        this.warnings = requireNonNull(warnings, "warnings is null");
    }

    /** One chunk's fields of interest, reused from chunk to chunk. */
    private static final class Delta {
        boolean choice;
        String content;
        String reasoningContent;
        String reasoning;
        String refusal;
        String finish;
        final List<ToolDelta> tools = new ArrayList<>();
        int toolCount;

        void reset() {
            choice = false;
            content = null;
            reasoningContent = null;
            reasoning = null;
            refusal = null;
            finish = null;
            toolCount = 0;
        }

        ToolDelta nextTool() {
            if (toolCount == tools.size()) {
                tools.add(new ToolDelta());
            }
            ToolDelta t = tools.get(toolCount++);
            t.index = -1;
            t.id = null;
            t.name = null;
            t.arguments = null;
            return t;
        }
    }

    private static final class ToolDelta {
        int index;
        String id;
        String name;
        String arguments;
    }

    /**
     * Reads one chunk and emits the events it implies.
     *
     * @throws FormatException when the chunk is not valid, is an upstream error object, or breaks the
     *                         canonical stream's order (more than one choice, interleaved tool calls)
     */
    public void feed(byte[] bytes, int offset, int length) {
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
        Delta d = delta;
        d.reset();
        Usage chunkUsage = null;
        try (JsonReader r = JsonReader.of(bytes, offset, length)) {
            r.rootObject("a chat.completion.chunk");
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "id" -> {
                        String s = r.stringOrNull("id");
                        if (id == null && s != null && !s.isEmpty()) {
                            id = s;
                        }
                    }
                    case "model" -> {
                        String s = r.stringOrNull("model");
                        if (model == null && s != null && !s.isEmpty()) {
                            model = s;
                        }
                    }
                    case "choices" -> {
                        if (r.arrayOrNull("choices")) {
                            int k = 0;
                            while (r.nextElement()) {
                                readChoice(r, d, k++);
                            }
                        }
                    }
                    case "usage" -> chunkUsage = OpenAiWire.readUsage(r);
                    case "error" -> throw OpenAiChatResponses.errorObject(r);
                    default -> r.skip();
                }
            }
            r.end();
        }
        if (chunkUsage != null) {
            usage = chunkUsage;
        }
        if (!d.choice) {
            return;
        }
        if (!started) {
            started = true;
            sink.accept(new StreamEvent.MessageStart(id == null ? "" : id, model == null ? "" : model, null));
        }
        String thinking = d.reasoningContent != null ? d.reasoningContent : d.reasoning;
        if (thinking != null && !thinking.isEmpty()) {
            sink.accept(new StreamEvent.ThinkingDelta(openBlock(Open.THINKING), thinking));
        }
        if (d.content != null && !d.content.isEmpty()) {
            sink.accept(new StreamEvent.TextDelta(openBlock(Open.TEXT), d.content));
        }
        if (d.refusal != null && !d.refusal.isEmpty()) {
            refused = true;
            sink.accept(new StreamEvent.TextDelta(openBlock(Open.TEXT), d.refusal));
        }
        for (int j = 0; j < d.toolCount; j++) {
            toolDelta(d.tools.get(j), j);
        }
        if (d.finish != null) {
            finishReason = d.finish;
        }
    }

    // field paths as constants: building them per chunk would cost more than reading the chunk
    private static final String CHOICE = "choices[0]";
    private static final String DELTA = "choices[0].delta";

    private void readChoice(JsonReader r, Delta d, int k) {
        if (k > 0) {
            throw new FormatException("a stream with more than one choice cannot be translated", "choices");
        }
        r.object(CHOICE);
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "index" -> {
                    Integer index = r.intOrNull("choices[0].index");
                    if (index != null && index != 0) {
                        throw new FormatException("a stream with more than one choice cannot be translated",
                                "choices[0].index");
                    }
                }
                case "delta" -> {
                    if (r.objectOrNull(DELTA)) {
                        readDelta(r, d, DELTA);
                    }
                }
                case "finish_reason" -> d.finish = r.stringOrNull("choices[0].finish_reason");
                default -> r.skip();
            }
        }
        d.choice = true;
    }

    private void readDelta(JsonReader r, Delta d, String at) {
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "content" -> d.content = r.stringOrNull("choices[0].delta.content");
                case "reasoning_content" -> d.reasoningContent = r.stringOrNull("choices[0].delta.reasoning_content");
                case "reasoning" -> d.reasoning = r.stringOrNull("choices[0].delta.reasoning");
                case "refusal" -> d.refusal = r.stringOrNull("choices[0].delta.refusal");
                case "tool_calls" -> {
                    if (r.arrayOrNull(at + ".tool_calls")) {
                        int j = 0;
                        while (r.nextElement()) {
                            readToolDelta(r, d.nextTool(), at + ".tool_calls[" + j++ + "]");
                        }
                    }
                }
                case "role" -> r.skip();
                case "function_call" -> {
                    if (!r.isNull()) {
                        throw new FormatException("legacy function calling is not supported; use tools", at + ".function_call");
                    }
                }
                default -> {
                    if (!r.isNull()) {
                        warnings.unknown("dropped field", at + "." + f);
                    }
                    r.skip();
                }
            }
        }
    }

    private static void readToolDelta(JsonReader r, ToolDelta t, String at) {
        r.object(at);
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "index" -> {
                    Integer index = r.intOrNull(at + ".index");
                    if (index != null) {
                        if (index < 0) {
                            throw new FormatException(at + ".index must not be negative", at + ".index");
                        }
                        t.index = index;
                    }
                }
                case "id" -> t.id = r.stringOrNull(at + ".id");
                case "function" -> {
                    if (r.objectOrNull(at + ".function")) {
                        String g;
                        while ((g = r.nextField()) != null) {
                            switch (g) {
                                case "name" -> t.name = r.stringOrNull(at + ".function.name");
                                case "arguments" -> t.arguments = r.stringOrNull(at + ".function.arguments");
                                default -> r.skip();
                            }
                        }
                    }
                }
                default -> r.skip();
            }
        }
    }

    private void toolDelta(ToolDelta t, int j) {
        int tool = t.index;
        if (tool < 0) {
            // some compatible servers omit the index: a new id is a new call, anything else continues the last
            boolean fresh = t.id != null && (openTool < 0 || !t.id.equals(toolIds.get(openTool)));
            tool = fresh ? toolBlocks.size() : Math.max(openTool, 0);
        }
        Integer block = tool < toolBlocks.size() ? toolBlocks.get(tool) : null;
        if (block == null) {
            if (t.name == null || t.name.isEmpty()) {
                throw new FormatException("a tool call starts without a function name",
                        "choices[0].delta.tool_calls[" + j + "].function.name");
            }
            String callId = t.id;
            if (callId == null || callId.isEmpty()) {
                callId = "call_" + tool;
                warnings.unknown("tool call without an id, named", callId);
            }
            stopOpen();
            int index = nextBlock++;
            while (toolBlocks.size() <= tool) {
                toolBlocks.add(null);
                toolIds.add(null);
            }
            toolBlocks.set(tool, index);
            toolIds.set(tool, callId);
            openBlock = index;
            open = Open.TOOL;
            openTool = tool;
            sink.accept(new StreamEvent.BlockStart(index, new ContentBlock.ToolUse(callId, t.name, "")));
            block = index;
        } else if (block != openBlock) {
            if (t.arguments == null || t.arguments.isEmpty()) {
                return;
            }
            throw new FormatException("tool call " + tool + " continues after another block began; "
                    + "interleaved tool calls cannot be translated", "choices[0].delta.tool_calls[" + j + "].index");
        }
        if (t.arguments != null && !t.arguments.isEmpty()) {
            sink.accept(new StreamEvent.ToolArgumentsDelta(block, t.arguments));
        }
    }

    private int openBlock(Open kind) {
        if (open == kind) {
            return openBlock;
        }
        stopOpen();
        int index = nextBlock++;
        open = kind;
        openBlock = index;
        sink.accept(new StreamEvent.BlockStart(index, kind == Open.TEXT
                ? ContentBlock.Text.of("")
                : new ContentBlock.Thinking("", null)));
        return index;
    }

    private void stopOpen() {
        if (open != Open.NONE) {
            sink.accept(new StreamEvent.BlockStop(openBlock));
            open = Open.NONE;
            openTool = -1;
        }
    }

    /**
     * The upstream stream is over: stops the open block and emits {@link StreamEvent.MessageEnd}.
     *
     * @throws FormatException when no chunk said why the model stopped: the stream was cut short, and no
     *                         end is emitted ({@link #usage()} still tells what was reported)
     */
    public void end() {
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
        ended = true;
        if (!started || finishReason == null) {
            throw new FormatException("stream ended before the answer was complete", null);
        }
        stopOpen();
        StopReason stop = OpenAiWire.stopReason(finishReason, warnings);
        if (refused && stop == StopReason.END_TURN) {
            stop = StopReason.REFUSAL;
        }
        sink.accept(new StreamEvent.MessageEnd(stop, null, usage));
    }

    /** The last usage the upstream reported so far, for accounting a stream that did not complete. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }
}
