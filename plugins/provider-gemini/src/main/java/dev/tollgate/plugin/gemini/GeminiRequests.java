package dev.tollgate.plugin.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.Reasoning;
import dev.tollgate.spi.chat.ResponseFormat;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.ToolChoice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a canonical request as a Gemini {@code GenerateContentRequest}. The rules (also in
 * {@code docs/providers.md}):
 *
 * <ul>
 *   <li>{@code system} and mid-conversation system messages → {@code systemInstruction.parts} (the latter
 *       moved there, reported); user turns → {@code role: user}, assistant turns → {@code role: model}.
 *   <li>Text → {@code text}; inline images → {@code inlineData {mimeType, data}}; images by URL →
 *       {@code fileData {fileUri, mimeType}} (the type guessed from the extension, left out when unknown).
 *   <li>Tool calls → {@code functionCall {name, args}}; tool results → {@code functionResponse {name,
 *       response}}, the name found from the call they answer, the response the result's JSON object, or
 *       {@code {"result": text}} ({@code {"error": text}} for an error result).
 *   <li>A thinking block's signature → the {@code thoughtSignature} of the part that follows it (Gemini
 *       signs the part after its thoughts); thinking text and redacted thinking are not sent back.
 *   <li>Tools → one {@code functionDeclarations} tool, schemas as {@code parametersJsonSchema} (Gemini takes
 *       full JSON Schema there, so nothing is converted or dropped); tool choice → {@code toolConfig}.
 *   <li>{@code maxTokens}, {@code temperature}, {@code topP}, {@code topK}, {@code stop}, {@code seed},
 *       penalties → {@code generationConfig}; a JSON schema response format → {@code responseMimeType:
 *       application/json} and {@code responseJsonSchema}; a JSON object format → the MIME type only.
 *   <li>Reasoning → {@code thinkingConfig}: a budget as given; an effort {@code none} 0, {@code minimal}
 *       512, {@code low} 1024, {@code medium} 8192, {@code high} 24576 tokens; with a budget above 0
 *       {@code includeThoughts} so the reasoning comes back as thinking.
 * </ul>
 *
 * Dropped and reported: {@code parallelToolCalls} (Gemini has no switch), {@code user}, {@code metadata},
 * {@code cacheControl} markers, image {@code detail}, extras of the client's format, images in tool
 * results. Refused (400): an {@code Opaque} block of another format, tool arguments that are not a JSON
 * object.
 */
final class GeminiRequests {

    private GeminiRequests() {}

    static byte[] write(ChatRequest request, Warnings warnings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            writeSystem(g, request);
            writeContents(g, request.messages(), warnings);
            writeTools(g, request, warnings);
            writeGenerationConfig(g, request, warnings);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dropped(request, warnings);
        return out.toByteArray();
    }

    private static void dropped(ChatRequest request, Warnings warnings) {
        if (request.parallelToolCalls().isPresent()) {
            warnings.unknown("dropped field (Gemini has no switch for parallel calls)", "parallel_tool_calls");
        }
        if (request.user().isPresent()) {
            warnings.unknown("dropped field", "user");
        }
        if (!request.metadata().isEmpty()) {
            warnings.unknown("dropped field", "metadata");
        }
        for (String extra : request.extra().keySet()) {
            warnings.unknown("dropped field of the client's format", extra);
        }
    }

    private static void writeSystem(JsonGenerator g, ChatRequest request) throws IOException {
        List<String> texts = new ArrayList<>();
        for (ContentBlock b : request.system()) {
            texts.add(((ContentBlock.Text) b).text());
        }
        for (Message m : request.messages()) {
            if (m.role() == Role.SYSTEM) {
                texts.add(m.text());
            }
        }
        texts.removeIf(String::isEmpty);
        if (texts.isEmpty()) {
            return;
        }
        g.writeObjectFieldStart("systemInstruction");
        g.writeArrayFieldStart("parts");
        for (String t : texts) {
            g.writeStartObject();
            g.writeStringField("text", t);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeContents(JsonGenerator g, List<Message> messages, Warnings warnings) throws IOException {
        Map<String, String> toolNames = new HashMap<>();
        for (Message m : messages) {
            for (ContentBlock b : m.content()) {
                if (b instanceof ContentBlock.ToolUse u) {
                    toolNames.put(u.id(), u.name());
                }
            }
        }
        g.writeArrayFieldStart("contents");
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.role() == Role.SYSTEM) {
                warnings.unknown("moved to systemInstruction (Gemini has instructions only there)", "messages[" + i + "]");
                continue;
            }
            List<Part> parts = parts(m, i, toolNames, warnings);
            if (parts.isEmpty()) {
                continue;
            }
            g.writeStartObject();
            g.writeStringField("role", m.role() == Role.ASSISTANT ? "model" : "user");
            g.writeArrayFieldStart("parts");
            for (Part p : parts) {
                p.write(g);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** One Gemini part, and the thought signature it carries. */
    private interface Part {
        void write(JsonGenerator g) throws IOException;
    }

    private static List<Part> parts(Message m, int index, Map<String, String> toolNames, Warnings warnings) {
        List<Part> parts = new ArrayList<>();
        String pendingSignature = null;
        List<ContentBlock> blocks = m.content();
        for (int j = 0; j < blocks.size(); j++) {
            ContentBlock b = blocks.get(j);
            String at = "messages[" + index + "].content[" + j + "]";
            String signature = pendingSignature;
            Part part = switch (b) {
                case ContentBlock.Text t -> t.text().isEmpty() ? null : g -> {
                    g.writeStartObject();
                    g.writeStringField("text", t.text());
                    signature(g, signature);
                    g.writeEndObject();
                };
                case ContentBlock.Image img -> {
                    if (img.detail() != null) {
                        warnings.unknown("dropped field", at + ".detail");
                    }
                    yield g -> {
                        g.writeStartObject();
                        image(g, img);
                        signature(g, signature);
                        g.writeEndObject();
                    };
                }
                case ContentBlock.ToolUse u -> {
                    if (m.role() != Role.ASSISTANT) {
                        throw GatewayException.invalidRequest(at, "a tool call belongs in an assistant message");
                    }
                    String args = arguments(u.arguments(), at);
                    yield g -> {
                        g.writeStartObject();
                        g.writeObjectFieldStart("functionCall");
                        g.writeStringField("name", u.name());
                        g.writeFieldName("args");
                        g.writeRawValue(args);
                        g.writeEndObject();
                        signature(g, signature);
                        g.writeEndObject();
                    };
                }
                case ContentBlock.ToolResult r -> {
                    if (m.role() != Role.USER) {
                        throw GatewayException.invalidRequest(at, "a tool result belongs in a user message");
                    }
                    String name = toolNames.get(r.toolUseId());
                    if (name == null) {
                        warnings.unknown("tool result for a call not in the conversation; its id is sent as the name", at);
                        name = r.toolUseId();
                    }
                    String fn = name;
                    String response = toolResponse(r, at, warnings);
                    yield g -> {
                        g.writeStartObject();
                        g.writeObjectFieldStart("functionResponse");
                        g.writeStringField("name", fn);
                        g.writeFieldName("response");
                        g.writeRawValue(response);
                        g.writeEndObject();
                        g.writeEndObject();
                    };
                }
                case ContentBlock.Thinking t -> {
                    if (t.signature() != null && !t.signature().isEmpty()) {
                        pendingSignature = t.signature();
                    } else if (!t.thinking().isEmpty()) {
                        warnings.unknown("dropped thinking without a signature (Gemini takes no thoughts back)", at);
                    }
                    yield null;
                }
                case ContentBlock.RedactedThinking r -> {
                    warnings.unknown("dropped redacted thinking (another provider's)", at);
                    yield null;
                }
                case ContentBlock.Opaque o -> throw GatewayException.invalidRequest(at,
                        "content of type '" + o.type() + "' cannot be sent to Gemini");
            };
            if (b instanceof ContentBlock.Text || b instanceof ContentBlock.Image || b instanceof ContentBlock.ToolUse
                    || b instanceof ContentBlock.ToolResult) {
                pendingSignature = null;
            }
            if (cacheControl(b)) {
                warnings.unknown("dropped cache_control (Gemini caches implicitly)", at);
            }
            if (part != null) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static boolean cacheControl(ContentBlock b) {
        return b instanceof ContentBlock.Text t && t.cacheControl() != null
                || b instanceof ContentBlock.Image i && i.cacheControl() != null
                || b instanceof ContentBlock.ToolResult r && r.cacheControl() != null;
    }

    private static void signature(JsonGenerator g, String signature) throws IOException {
        if (signature != null) {
            g.writeStringField("thoughtSignature", signature);
        }
    }

    private static void image(JsonGenerator g, ContentBlock.Image img) throws IOException {
        if (img.data() != null) {
            g.writeObjectFieldStart("inlineData");
            g.writeStringField("mimeType", img.mediaType());
            g.writeStringField("data", img.data());
        } else {
            g.writeObjectFieldStart("fileData");
            String type = mimeTypeOf(img.url());
            if (type != null) {
                g.writeStringField("mimeType", type);
            }
            g.writeStringField("fileUri", img.url());
        }
        g.writeEndObject();
    }

    static String mimeTypeOf(String url) {
        String path = url.toLowerCase(Locale.ROOT);
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.endsWith(".png")) {
            return "image/png";
        }
        if (path.endsWith(".jpg") || path.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (path.endsWith(".webp")) {
            return "image/webp";
        }
        if (path.endsWith(".gif")) {
            return "image/gif";
        }
        if (path.endsWith(".heic")) {
            return "image/heic";
        }
        if (path.endsWith(".heif")) {
            return "image/heif";
        }
        return null;
    }

    /** Tool arguments as Gemini's {@code args} object: the text when it is one, {@code {}} when empty. */
    private static String arguments(String arguments, String at) {
        String t = arguments.trim();
        if (t.isEmpty()) {
            return "{}";
        }
        if (!isJsonObject(t)) {
            throw GatewayException.invalidRequest(at + ".arguments", "Gemini takes tool call arguments only as a JSON object");
        }
        return t;
    }

    private static String toolResponse(ContentBlock.ToolResult r, String at, Warnings warnings) {
        StringBuilder text = new StringBuilder();
        for (ContentBlock c : r.content()) {
            if (c instanceof ContentBlock.Text t) {
                text.append(t.text());
            } else {
                warnings.unknown("dropped image in a tool result (not sent to Gemini)", at);
            }
        }
        String s = text.toString().trim();
        if (!r.isError() && isJsonObject(s)) {
            return s;
        }
        try {
            return Json.MAPPER.writeValueAsString(Map.of(r.isError() ? "error" : "result", text.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isJsonObject(String text) {
        if (text.isEmpty() || text.charAt(0) != '{') {
            return false;
        }
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeTools(JsonGenerator g, ChatRequest request, Warnings warnings) throws IOException {
        if (!request.tools().isEmpty()) {
            g.writeArrayFieldStart("tools");
            g.writeStartObject();
            g.writeArrayFieldStart("functionDeclarations");
            for (Tool t : request.tools()) {
                g.writeStartObject();
                g.writeStringField("name", t.name());
                if (t.description() != null) {
                    g.writeStringField("description", t.description());
                }
                if (t.parameters() != null) {
                    g.writeFieldName("parametersJsonSchema");
                    g.writeRawValue(t.parameters().json());
                }
                if (t.cacheControl() != null) {
                    warnings.unknown("dropped cache_control (Gemini caches implicitly)", "tools");
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
        }
        ToolChoice choice = request.toolChoice().orElse(null);
        if (choice != null) {
            g.writeObjectFieldStart("toolConfig");
            g.writeObjectFieldStart("functionCallingConfig");
            switch (choice.mode()) {
                case AUTO -> g.writeStringField("mode", "AUTO");
                case NONE -> g.writeStringField("mode", "NONE");
                case REQUIRED -> g.writeStringField("mode", "ANY");
                case TOOL -> {
                    g.writeStringField("mode", "ANY");
                    g.writeArrayFieldStart("allowedFunctionNames");
                    g.writeString(choice.name());
                    g.writeEndArray();
                }
            }
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    private static void writeGenerationConfig(JsonGenerator g, ChatRequest r, Warnings warnings) throws IOException {
        Integer budget = thinkingBudget(r.reasoning().orElse(null), warnings);
        ResponseFormat format = r.responseFormat().orElse(null);
        boolean any = r.maxTokens().isPresent() || r.temperature().isPresent() || r.topP().isPresent() || r.topK().isPresent()
                || !r.stop().isEmpty() || r.seed().isPresent() || r.presencePenalty().isPresent() || r.frequencyPenalty().isPresent()
                || budget != null || format != null && format.type() != ResponseFormat.Type.TEXT;
        if (!any) {
            return;
        }
        g.writeObjectFieldStart("generationConfig");
        if (r.maxTokens().isPresent()) {
            g.writeNumberField("maxOutputTokens", r.maxTokens().get());
        }
        if (r.temperature().isPresent()) {
            g.writeNumberField("temperature", r.temperature().get());
        }
        if (r.topP().isPresent()) {
            g.writeNumberField("topP", r.topP().get());
        }
        if (r.topK().isPresent()) {
            g.writeNumberField("topK", r.topK().get());
        }
        if (!r.stop().isEmpty()) {
            g.writeArrayFieldStart("stopSequences");
            for (String s : r.stop()) {
                g.writeString(s);
            }
            g.writeEndArray();
        }
        if (r.seed().isPresent()) {
            g.writeNumberField("seed", r.seed().get());
        }
        if (r.presencePenalty().isPresent()) {
            g.writeNumberField("presencePenalty", r.presencePenalty().get());
        }
        if (r.frequencyPenalty().isPresent()) {
            g.writeNumberField("frequencyPenalty", r.frequencyPenalty().get());
        }
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            g.writeStringField("responseMimeType", "application/json");
            if (format.type() == ResponseFormat.Type.JSON_SCHEMA) {
                g.writeFieldName("responseJsonSchema");
                g.writeRawValue(format.schema().json());
            }
        }
        if (budget != null) {
            g.writeObjectFieldStart("thinkingConfig");
            g.writeNumberField("thinkingBudget", budget);
            if (budget > 0) {
                g.writeBooleanField("includeThoughts", true);
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** The documented effort-to-budget rule; {@code null} when the request says nothing about reasoning. */
    static Integer thinkingBudget(Reasoning r, Warnings warnings) {
        if (r == null) {
            return null;
        }
        if (r.budgetTokens() != null) {
            return r.budgetTokens();
        }
        return switch (r.effort().toLowerCase(Locale.ROOT)) {
            case "none" -> 0;
            case "minimal" -> 512;
            case "low" -> 1024;
            case "medium" -> 8192;
            case "high", "xhigh" -> 24576;
            default -> {
                warnings.unknown("unknown reasoning effort; the model's default thinking applies", r.effort());
                yield null;
            }
        };
    }
}
