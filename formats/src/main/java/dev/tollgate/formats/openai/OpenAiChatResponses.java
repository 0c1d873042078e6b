package dev.tollgate.formats.openai;

import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;

/** OpenAI {@code chat.completion} objects to and from the canonical model. */
public final class OpenAiChatResponses {

    private OpenAiChatResponses() {}

    /**
     * Parses an upstream's complete answer.
     *
     * @throws FormatException when it is not a chat completion with exactly one choice, or is an error object
     */
    public static ChatResponse parse(byte[] bytes, int offset, int length, Warnings warnings) {
        try (JsonReader r = JsonReader.of(bytes, offset, length)) {
            r.rootObject("a chat completion");
            ChatResponse.Builder b = ChatResponse.builder().id("").model("");
            boolean choice = false;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "id" -> b.id(orEmpty(r.stringOrNull("id")));
                    case "model" -> b.model(orEmpty(r.stringOrNull("model")));
                    case "created" -> {
                        Long created = r.longOrNull("created");
                        b.created(created == null ? 0 : created);
                    }
                    case "choices" -> {
                        if (!r.arrayOrNull("choices")) {
                            throw new FormatException("the chat completion has no choices", "choices");
                        }
                        while (r.nextElement()) {
                            if (choice) {
                                throw new FormatException("the chat completion has more than one choice", "choices");
                            }
                            readChoice(r, b, warnings);
                            choice = true;
                        }
                    }
                    case "usage" -> b.usage(OpenAiWire.readUsage(r));
                    case "error" -> throw errorObject(r);
                    default -> r.skip();
                }
            }
            r.end();
            if (!choice) {
                throw new FormatException("the chat completion has no choices", "choices");
            }
            return b.build();
        }
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** An upstream's {@code {"error": {...}}} in place of an answer. */
    static FormatException errorObject(JsonReader r) {
        String message = null;
        String type = null;
        if (r.token() == JsonToken.START_OBJECT) {
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "message" -> message = r.isString() ? r.string("error.message") : r.raw().json();
                    case "type", "code" -> {
                        if (type == null && r.isString()) {
                            type = r.string("error." + f);
                        } else {
                            r.skip();
                        }
                    }
                    default -> r.skip();
                }
            }
        } else {
            message = r.raw().json();
        }
        return new FormatException("upstream error" + (type == null ? "" : " " + type) + ": " + message, "error");
    }

    private static void readChoice(JsonReader r, ChatResponse.Builder b, Warnings warnings) {
        r.object("choices[0]");
        String finish = null;
        List<ContentBlock> content = new ArrayList<>();
        boolean refused = false;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "message" -> refused = readMessage(r, content, warnings);
                case "finish_reason" -> finish = r.stringOrNull("choices[0].finish_reason");
                default -> r.skip();
            }
        }
        StopReason stop = OpenAiWire.stopReason(finish, warnings);
        b.content(content).stopReason(refused && stop == StopReason.END_TURN ? StopReason.REFUSAL : stop);
    }

    /** Reads the message into canonical blocks (reasoning, text, refusal, tool calls); returns whether it refused. */
    private static boolean readMessage(JsonReader r, List<ContentBlock> content, Warnings warnings) {
        String at = "choices[0].message";
        r.object(at);
        String reasoning = null;
        String text = null;
        String refusal = null;
        List<ContentBlock> calls = List.of();
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "content" -> {
                    if (r.isArray()) {
                        StringBuilder sb = new StringBuilder();
                        int j = 0;
                        while (r.nextElement()) {
                            sb.append(textPart(r, at + ".content[" + j++ + "]"));
                        }
                        text = sb.toString();
                    } else {
                        text = r.stringOrNull(at + ".content");
                    }
                }
                case "refusal" -> refusal = r.stringOrNull(at + ".refusal");
                case "reasoning_content", "reasoning" -> {
                    String s = r.stringOrNull(at + "." + f);
                    if (s != null && reasoning == null) {
                        reasoning = s;
                    }
                }
                case "tool_calls" -> {
                    if (r.arrayOrNull(at + ".tool_calls")) {
                        calls = OpenAiChatRequests.readToolCalls(r, at + ".tool_calls", warnings);
                    }
                }
                case "annotations" -> {
                    if (r.isArray()) {
                        if (!isEmptyArray(r)) {
                            warnings.unknown("dropped field", at + ".annotations");
                        }
                    } else {
                        r.skip();
                    }
                }
                case "role" -> r.skip();
                default -> {
                    if (!r.isNull()) {
                        warnings.unknown("dropped field", at + "." + f);
                    }
                    r.skip();
                }
            }
        }
        if (reasoning != null && !reasoning.isEmpty()) {
            content.add(new ContentBlock.Thinking(reasoning, null));
        }
        if (text != null && !text.isEmpty()) {
            content.add(ContentBlock.Text.of(text));
        }
        boolean refused = refusal != null && !refusal.isEmpty();
        if (refused) {
            content.add(ContentBlock.Text.of(refusal));
        }
        content.addAll(calls);
        return refused;
    }

    /** Consumes the array the cursor is on; whether it had no elements. */
    private static boolean isEmptyArray(JsonReader r) {
        if (!r.nextElement()) {
            return true;
        }
        r.skip();
        while (r.nextElement()) {
            r.skip();
        }
        return false;
    }

    private static String textPart(JsonReader r, String at) {
        r.object(at);
        String type = null;
        String text = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string(at + ".type");
                case "text" -> text = r.stringOrNull(at + ".text");
                default -> r.skip();
            }
        }
        if (!"text".equals(type) || text == null) {
            throw new FormatException("an answer's content parts must be text", at + ".type");
        }
        return text;
    }

    /**
     * Renders a canonical answer as a {@code chat.completion} for a client.
     *
     * @param clientModel the model name the client asked for
     */
    public static byte[] write(ChatResponse response, String clientModel, Warnings warnings) {
        Warnings once = Warnings.once(warnings);
        StringBuilder text = null;
        StringBuilder reasoning = null;
        List<ContentBlock.ToolUse> calls = new ArrayList<>();
        for (ContentBlock b : response.content()) {
            switch (b) {
                case ContentBlock.Text t -> text = (text == null ? new StringBuilder() : text).append(t.text());
                case ContentBlock.Thinking t -> {
                    reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(t.thinking());
                    if (t.signature() != null && !t.signature().isEmpty()) {
                        once.unknown("dropped thinking signature", "content");
                    }
                }
                case ContentBlock.ToolUse u -> calls.add(u);
                case ContentBlock.RedactedThinking t -> once.unknown("dropped redacted thinking", "content");
                case ContentBlock.Opaque o -> once.unknown("dropped content block", o.type());
                default -> once.unknown("dropped content block", b.kind().toString());
            }
        }
        JsonWriter w = new JsonWriter(512);
        w.startObject().field("id", response.id()).field("object", "chat.completion")
                .field("created").value(response.created()).field("model", clientModel)
                .field("choices").startArray().startObject().field("index").value(0)
                .field("message").startObject().field("role", "assistant").field("content");
        if (text != null) {
            w.value(text.toString());
        } else {
            w.value(calls.isEmpty() ? "" : null);
        }
        w.field("refusal").nullValue();
        if (reasoning != null) {
            w.field("reasoning_content", reasoning.toString());
        }
        if (!calls.isEmpty()) {
            w.field("tool_calls").startArray();
            for (ContentBlock.ToolUse u : calls) {
                w.startObject().field("id", u.id()).field("type", "function").field("function").startObject()
                        .field("name", u.name()).field("arguments", u.arguments()).endObject().endObject();
            }
            w.endArray();
        }
        w.endObject().field("logprobs").nullValue().field(OpenAiChunkWriter.FINISH_REASON)
                .value(OpenAiWire.finishReason(response.stopReason()));
        w.endObject().endArray();
        Usage usage = response.usage().orElse(null);
        if (usage != null) {
            w.field("usage");
            OpenAiWire.writeUsage(w, usage);
        }
        w.endObject();
        return w.take();
    }
}
