package dev.tollgate.formats.openai;

import static java.util.Objects.requireNonNull;

import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.formats.openai.ResponsesAnswers.Item;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Renders canonical {@link StreamEvent}s as the OpenAI Responses event stream: named events whose
 * name is their {@code type}, each with a {@code sequence_number} counting from 0, in the
 * documented order ({@code response.created}, {@code response.in_progress}, per output item
 * {@code output_item.added} ... {@code output_item.done}, then {@code response.completed} or
 * {@code response.incomplete}). The stream has no terminator of its own beyond that last event.
 * One writer per stream; not thread-safe.
 */
public final class ResponsesEventWriter {

    private final String model;
    private final long createdAt;
    private final BiConsumer<String, byte[]> sink;
    private final Warnings warnings;
    private final ResponseEcho echo;
    private final JsonWriter w = new JsonWriter(256);
    private final List<Item> items = new ArrayList<>();
    /** The output index of each open canonical block; a block the Responses API cannot show maps to -1. */
    private final Map<Integer, Integer> open = new HashMap<>();

    private String id;
    private Usage startUsage;
    private long sequence;
    private boolean ended;

    /**
     * @param clientModel the model name the client asked for
     * @param createdAt   the response's {@code created_at}, epoch seconds
     * @param sink        receives each event's name and JSON
     */
    public ResponsesEventWriter(String clientModel, long createdAt, BiConsumer<String, byte[]> sink, Warnings warnings) {
        this(clientModel, createdAt, sink, ResponseEcho.STATELESS, warnings);
    }

    /** As the other constructor, with the id and the state fields of {@code echo} in every response object. */
    public ResponsesEventWriter(String clientModel, long createdAt, BiConsumer<String, byte[]> sink, ResponseEcho echo, Warnings warnings) {
        this.echo = requireNonNull(echo, "echo is null");
        this.model = requireNonNull(clientModel, "clientModel is null");
        this.createdAt = createdAt;
        this.sink = requireNonNull(sink, "sink is null");
        this.warnings = Warnings.once(requireNonNull(warnings, "warnings is null"));
    }

    /** Whether {@code response.created} went out (a failure then ends the stream with {@code response.failed}). */
    public boolean started() {
        return id != null;
    }

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
                id = echo.id() != null ? echo.id() : ResponsesAnswers.responseId(s.id());
                startUsage = s.usage();
                lifecycle("response.created", "in_progress", null, null, null, null);
                lifecycle("response.in_progress", "in_progress", null, null, null, null);
            }
            case StreamEvent.BlockStart b -> blockStart(b);
            case StreamEvent.TextDelta d -> delta(d.index(), d.text(), "response.output_text.delta");
            case StreamEvent.ThinkingDelta d -> delta(d.index(), d.thinking(), "response.reasoning_summary_text.delta");
            case StreamEvent.ToolArgumentsDelta d -> delta(d.index(), d.json(), "response.function_call_arguments.delta");
            case StreamEvent.SignatureDelta d -> { }
            case StreamEvent.BlockStop s -> blockStop(s.index());
            case StreamEvent.MessageEnd e -> {
                for (Integer index : List.copyOf(open.keySet())) {
                    blockStop(index);
                }
                ended = true;
                Usage usage = e.usage() != null ? e.usage() : startUsage;
                String incomplete = ResponsesAnswers.incompleteReason(e.stopReason());
                lifecycle(incomplete == null ? "response.completed" : "response.incomplete",
                        ResponsesAnswers.status(e.stopReason()), usage, incomplete, null, null);
            }
        }
    }

    /**
     * Ends a stream that failed: {@code response.failed} with the error when the response was
     * announced, else an {@code error} event.
     */
    public void fail(String code, String message, String param) {
        if (ended) {
            return;
        }
        ended = true;
        if (id != null) {
            lifecycle("response.failed", "failed", null, null, code, message);
            return;
        }
        w.startObject().field("type", "error").field("code", code).field("message", message).field("param", param)
                .field("sequence_number").value(sequence++).endObject();
        sink.accept("error", w.take());
    }

    private void blockStart(StreamEvent.BlockStart b) {
        if (open.containsKey(b.index())) {
            throw new IllegalStateException("block " + b.index() + " started twice");
        }
        String initial = null;
        Item item;
        switch (b.block()) {
            case ContentBlock.Text t -> {
                item = new Item("message", ResponsesAnswers.itemId("msg", id, items.size()));
                initial = t.text();
            }
            case ContentBlock.ToolUse u -> {
                item = new Item("function_call", ResponsesAnswers.itemId("fc", id, items.size()));
                item.callId = u.id();
                item.name = u.name();
                initial = u.arguments();
            }
            case ContentBlock.Thinking th -> {
                item = new Item("reasoning", ResponsesAnswers.itemId("rs", id, items.size()));
                initial = th.thinking();
            }
            default -> {
                warnings.unknown("block a Responses stream cannot hold, dropped", b.block().kind().name());
                open.put(b.index(), -1);
                return;
            }
        }
        int output = items.size();
        items.add(item);
        open.put(b.index(), output);
        begin("response.output_item.added", output).field("item");
        ResponsesAnswers.writeItem(w, item);
        emit("response.output_item.added");
        switch (item.type) {
            case "message" -> {
                part("response.content_part.added", item, output).field("part");
                ResponsesAnswers.writeTextPart(w, "");
                emit("response.content_part.added");
            }
            case "reasoning" -> {
                summary("response.reasoning_summary_part.added", item, output).field("part");
                ResponsesAnswers.writeSummaryPart(w, "");
                emit("response.reasoning_summary_part.added");
            }
            default -> { }
        }
        if (initial != null && !initial.isEmpty()) {
            String name = switch (item.type) {
                case "message" -> "response.output_text.delta";
                case "reasoning" -> "response.reasoning_summary_text.delta";
                default -> "response.function_call_arguments.delta";
            };
            delta(b.index(), initial, name);
        }
    }

    private void delta(int index, String text, String name) {
        Integer output = open.get(index);
        if (output == null) {
            throw new IllegalStateException("a delta for block " + index + ", which is not open");
        }
        if (output < 0 || text.isEmpty()) {
            return;
        }
        Item item = items.get(output);
        item.text.append(text);
        switch (item.type) {
            case "message" -> part(name, item, output).field("delta", text).field("logprobs").startArray().endArray();
            case "reasoning" -> summary(name, item, output).field("delta", text);
            default -> begin(name, output).field("item_id", item.id).field("delta", text);
        }
        emit(name);
    }

    private void blockStop(int index) {
        Integer output = open.remove(index);
        if (output == null) {
            throw new IllegalStateException("block " + index + " stopped but not open");
        }
        if (output < 0) {
            return;
        }
        Item item = items.get(output);
        String text = item.text.toString();
        switch (item.type) {
            case "message" -> {
                part("response.output_text.done", item, output).field("text", text).field("logprobs").startArray().endArray();
                emit("response.output_text.done");
                part("response.content_part.done", item, output).field("part");
                ResponsesAnswers.writeTextPart(w, text);
                emit("response.content_part.done");
            }
            case "reasoning" -> {
                summary("response.reasoning_summary_text.done", item, output).field("text", text);
                emit("response.reasoning_summary_text.done");
                summary("response.reasoning_summary_part.done", item, output).field("part");
                ResponsesAnswers.writeSummaryPart(w, text);
                emit("response.reasoning_summary_part.done");
            }
            default -> {
                begin("response.function_call_arguments.done", output).field("item_id", item.id).field("name", item.name)
                        .field("arguments", text);
                emit("response.function_call_arguments.done");
            }
        }
        item.done = true;
        begin("response.output_item.done", output).field("item");
        ResponsesAnswers.writeItem(w, item);
        emit("response.output_item.done");
    }

    private void lifecycle(String name, String status, Usage usage, String incomplete, String errorCode, String errorMessage) {
        w.startObject().field("type", name).field("sequence_number").value(sequence++).field("response");
        ResponsesAnswers.writeResponse(w, id, createdAt, model, status, name.equals("response.created")
                || name.equals("response.in_progress") ? List.of() : doneItems(), usage, incomplete, errorCode, errorMessage, echo);
        w.endObject();
        sink.accept(name, w.take());
    }

    private List<Item> doneItems() {
        return items.stream().filter(i -> i.done).toList();
    }

    private JsonWriter begin(String name, int output) {
        return w.startObject().field("type", name).field("sequence_number").value(sequence++).field("output_index").value(output);
    }

    private JsonWriter part(String name, Item item, int output) {
        return begin(name, output).field("item_id", item.id).field("content_index").value(0);
    }

    private JsonWriter summary(String name, Item item, int output) {
        return begin(name, output).field("item_id", item.id).field("summary_index").value(0);
    }

    private void emit(String name) {
        w.endObject();
        sink.accept(name, w.take());
    }
}
