package dev.tollgate.formats.openai;

import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * Canonical answers as OpenAI Responses {@code response} objects. Each canonical text block becomes
 * one {@code message} item with one {@code output_text} part, each tool use a {@code function_call}
 * item, each thinking block a {@code reasoning} item holding it as a summary; the stream writer
 * ({@link ResponsesEventWriter}) builds the same items, so a streamed and a whole answer agree.
 */
public final class ResponsesAnswers {

    private ResponsesAnswers() {}

    /** One output item while it is built. */
    static final class Item {
        final String type;
        final String id;
        final StringBuilder text = new StringBuilder();
        String callId;
        String name;
        boolean done;

        Item(String type, String id) {
            this.type = type;
            this.id = id;
        }
    }

    /** The {@code response} object of a whole answer. */
    public static byte[] write(ChatResponse response, String clientModel, Warnings warnings) {
        return write(response, clientModel, ResponseEcho.STATELESS, warnings);
    }

    /** As {@link #write(ChatResponse, String, Warnings)}, with the id and the state fields of {@code echo}. */
    public static byte[] write(ChatResponse response, String clientModel, ResponseEcho echo, Warnings warnings) {
        String id = echo.id() != null ? echo.id() : responseId(response.id());
        List<Item> items = new ArrayList<>();
        for (ContentBlock b : response.content()) {
            Item item = switch (b) {
                case ContentBlock.Text t -> {
                    Item i = new Item("message", itemId("msg", id, items.size()));
                    i.text.append(t.text());
                    yield i;
                }
                case ContentBlock.ToolUse u -> {
                    Item i = new Item("function_call", itemId("fc", id, items.size()));
                    i.callId = u.id();
                    i.name = u.name();
                    i.text.append(u.arguments());
                    yield i;
                }
                case ContentBlock.Thinking th -> {
                    Item i = new Item("reasoning", itemId("rs", id, items.size()));
                    i.text.append(th.thinking());
                    yield i;
                }
                default -> {
                    warnings.unknown("block a Responses answer cannot hold, dropped", b.kind().name());
                    yield null;
                }
            };
            if (item != null) {
                item.done = true;
                items.add(item);
            }
        }
        JsonWriter w = new JsonWriter(512);
        writeResponse(w, id, response.created(), clientModel, status(response.stopReason()), items,
                response.usage().orElse(null), incompleteReason(response.stopReason()), null, null, echo);
        return w.take();
    }

    /** {@code resp_} and the provider's id, so every id the client sees has the Responses prefix. */
    static String responseId(String canonicalId) {
        return canonicalId.startsWith("resp_") ? canonicalId : "resp_" + canonicalId.replaceAll("[^A-Za-z0-9_-]", "");
    }

    static String itemId(String prefix, String responseId, int index) {
        return prefix + "_" + responseId.substring("resp_".length()) + "_" + index;
    }

    static String status(StopReason reason) {
        return incompleteReason(reason) == null ? "completed" : "incomplete";
    }

    /** The {@code incomplete_details.reason} of a stop reason, or null when the answer is complete. */
    static String incompleteReason(StopReason reason) {
        return switch (reason) {
            case MAX_TOKENS -> "max_output_tokens";
            case CONTENT_FILTER, REFUSAL -> "content_filter";
            default -> null;
        };
    }

    /**
     * Writes a {@code response} object. The request fields it repeats ({@code tools},
     * {@code temperature}, ...) are {@code echo}'s, else their defaults.
     */
    static void writeResponse(JsonWriter w, String id, long createdAt, String model, String status, List<Item> items,
            Usage usage, String incompleteReason, String errorCode, String errorMessage, ResponseEcho echo) {
        w.startObject();
        w.field("id", id);
        w.field("object", "response");
        w.field("created_at").value(createdAt);
        w.field("status", status);
        w.field("model", model);
        w.field("error");
        if (errorCode != null) {
            w.startObject().field("code", errorCode).field("message", errorMessage).endObject();
        } else {
            w.nullValue();
        }
        w.field("incomplete_details");
        if (incompleteReason != null) {
            w.startObject().field("reason", incompleteReason).endObject();
        } else {
            w.nullValue();
        }
        if (!echoed(w, echo, "instructions")) {
            w.nullValue();
        }
        if (!echoed(w, echo, "max_output_tokens")) {
            w.nullValue();
        }
        if (!echoed(w, echo, "metadata")) {
            w.startObject().endObject();
        }
        w.field("output").startArray();
        for (Item item : items) {
            writeItem(w, item);
        }
        w.endArray();
        if (!echoed(w, echo, "parallel_tool_calls")) {
            w.value(true);
        }
        w.field("previous_response_id");
        if (echo.previousResponseId() != null) {
            w.value(echo.previousResponseId());
        } else {
            w.nullValue();
        }
        if (!echoed(w, echo, "reasoning")) {
            w.startObject().field("effort").nullValue().field("summary").nullValue().endObject();
        }
        w.field("store").value(echo.store());
        if (!echoed(w, echo, "temperature")) {
            w.nullValue();
        }
        if (!echoed(w, echo, "text")) {
            w.startObject().field("format").startObject().field("type", "text").endObject().endObject();
        }
        if (!echoed(w, echo, "tool_choice")) {
            w.value("auto");
        }
        if (!echoed(w, echo, "tools")) {
            w.startArray().endArray();
        }
        if (!echoed(w, echo, "top_p")) {
            w.nullValue();
        }
        if (!echoed(w, echo, "truncation")) {
            w.value("disabled");
        }
        w.field("usage");
        if (usage != null) {
            writeUsage(w, usage);
        } else {
            w.nullValue();
        }
        if (!echoed(w, echo, "user")) {
            w.nullValue();
        }
        w.endObject();
    }

    /** Writes {@code field}'s name and, when the request sent it, its value as sent; {@code false} leaves the value to write. */
    private static boolean echoed(JsonWriter w, ResponseEcho echo, String field) {
        w.field(field);
        String sent = echo.request().get(field);
        if (sent == null) {
            return false;
        }
        w.raw(sent);
        return true;
    }

    static void writeUsage(JsonWriter w, Usage u) {
        w.startObject();
        w.field("input_tokens").value(u.inputTokens());
        w.field("input_tokens_details").startObject().field("cached_tokens").value(u.cachedInputTokens())
                .field("cache_write_tokens").value(u.cacheWriteTokens()).endObject();
        w.field("output_tokens").value(u.outputTokens());
        w.field("output_tokens_details").startObject().field("reasoning_tokens").value(u.reasoningTokens()).endObject();
        w.field("total_tokens").value(u.inputTokens() + u.outputTokens());
        w.endObject();
    }

    /** An item as {@code output} and the item events hold it: in progress until {@link Item#done}. */
    static void writeItem(JsonWriter w, Item item) {
        String status = item.done ? "completed" : "in_progress";
        w.startObject();
        w.field("type", item.type);
        w.field("id", item.id);
        switch (item.type) {
            case "message" -> {
                w.field("status", status);
                w.field("role", "assistant");
                w.field("content").startArray();
                if (item.done) {
                    writeTextPart(w, item.text.toString());
                }
                w.endArray();
            }
            case "function_call" -> {
                w.field("status", status);
                w.field("call_id", item.callId);
                w.field("name", item.name);
                w.field("arguments", item.done ? item.text.toString() : "");
            }
            default -> {
                w.field("summary").startArray();
                if (item.done) {
                    writeSummaryPart(w, item.text.toString());
                }
                w.endArray();
            }
        }
        w.endObject();
    }

    static void writeTextPart(JsonWriter w, String text) {
        w.startObject().field("type", "output_text").field("text", text).field("annotations").startArray().endArray()
                .field("logprobs").startArray().endArray().endObject();
    }

    static void writeSummaryPart(JsonWriter w, String text) {
        w.startObject().field("type", "summary_text").field("text", text).endObject();
    }
}
