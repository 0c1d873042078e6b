package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.ToolChoice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the mock needs from a chat request, read from the canonical model (so the mock answers
 * every inbound API alike).
 *
 * @param messages    number of messages, each system instruction counted as one
 * @param promptWords whitespace-separated words over every text (instructions, messages, tool results)
 * @param contentHash a hash of the roles and texts, in order
 * @param maxTokens   the request's output limit, or -1
 * @param tool        the tool the mock calls, or {@code null} when it answers with text
 * @param toolResult  the text of the last tool result when the last message carries one, else {@code null}
 * @param lastUserText the text of the last user message
 */
record ChatBody(int messages, long promptWords, long contentHash, int maxTokens, ToolCall tool, String toolResult, String lastUserText) {

    /** A tool call the mock makes: the tool's name and the argument names its schema requires. */
    record ToolCall(String name, List<String> argumentNames) {}

    private static final char ROLE_END = 0x1d;
    private static final char MESSAGE_END = 0x1e;
    private static final char TEXT_END = 0x1f;

    static ChatBody of(ChatRequest r, JsonFactory json) {
        long hash = TextHash.START;
        long words = 0;
        int messages = 0;
        for (ContentBlock b : r.system()) {
            if (b instanceof ContentBlock.Text t) {
                hash = TextHash.mix(TextHash.mix(hash, "system"), ROLE_END);
                words += Words.count(t.text());
                hash = TextHash.mix(TextHash.mix(TextHash.mix(hash, t.text()), TEXT_END), MESSAGE_END);
                messages++;
            }
        }
        String lastUserText = "";
        String toolResult = null;
        for (Message m : r.messages()) {
            hash = TextHash.mix(TextHash.mix(hash, m.role().name().toLowerCase(java.util.Locale.ROOT)), ROLE_END);
            toolResult = null;
            StringBuilder userText = new StringBuilder();
            for (ContentBlock b : m.content()) {
                String text = switch (b) {
                    case ContentBlock.Text t -> t.text();
                    case ContentBlock.ToolResult tr -> {
                        StringBuilder sb = new StringBuilder();
                        tr.content().forEach(c -> {
                            if (c instanceof ContentBlock.Text t) {
                                sb.append(t.text());
                            }
                        });
                        toolResult = sb.toString();
                        yield toolResult;
                    }
                    default -> null;
                };
                if (text != null) {
                    words += Words.count(text);
                    hash = TextHash.mix(TextHash.mix(hash, text), TEXT_END);
                    if (m.role() == Role.USER && b instanceof ContentBlock.Text) {
                        userText.append(text);
                    }
                }
            }
            if (m.role() == Role.USER) {
                lastUserText = userText.toString();
            }
            hash = TextHash.mix(hash, MESSAGE_END);
            messages++;
        }
        ToolCall tool = toolResult == null ? chooseTool(r, json) : null;
        return new ChatBody(messages, words, hash, r.maxTokens().orElse(-1), tool, toolResult, lastUserText);
    }

    /** The tool to call: the one tool_choice names, else the first offered, unless tool_choice is none. */
    private static ToolCall chooseTool(ChatRequest r, JsonFactory json) {
        if (r.tools().isEmpty()) {
            return null;
        }
        ToolChoice choice = r.toolChoice().orElse(ToolChoice.AUTO);
        if (choice.mode() == ToolChoice.Mode.NONE) {
            return null;
        }
        Tool tool = r.tools().get(0);
        if (choice.mode() == ToolChoice.Mode.TOOL) {
            tool = r.tools().stream().filter(t -> t.name().equals(choice.name())).findFirst().orElse(tool);
        }
        return new ToolCall(tool.name(), argumentNames(tool, json));
    }

    /** The schema's required properties, else its first property, else none. */
    private static List<String> argumentNames(Tool tool, JsonFactory json) {
        List<String> required = new ArrayList<>();
        List<String> properties = new ArrayList<>();
        if (tool.parameters() == null) {
            return List.of();
        }
        try (JsonParser p = json.createParser(tool.parameters().json())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return List.of();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("required") && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        required.add(p.getText());
                    }
                } else if (field.equals("properties") && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        properties.add(p.currentName());
                        p.nextToken();
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        if (!required.isEmpty()) {
            return List.copyOf(required);
        }
        return properties.isEmpty() ? List.of() : List.of(properties.get(0));
    }
}
