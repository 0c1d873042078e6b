package dev.tollgate.formats.anthropic;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Usage;
import java.util.ArrayList;
import java.util.List;

/** Anthropic {@code message} objects to and from the canonical model. */
public final class AnthropicResponses {

    private AnthropicResponses() {}

    /**
     * Parses Anthropic's complete answer.
     *
     * @throws FormatException when it is not a message, or is an error object
     */
    public static ChatResponse parse(byte[] bytes, int offset, int length, Warnings warnings) {
        try (JsonReader r = JsonReader.of(bytes, offset, length)) {
            r.rootObject("a message");
            ChatResponse.Builder b = ChatResponse.builder().id("").model("");
            List<ContentBlock> content = new ArrayList<>();
            AnthropicWire.Counts counts = new AnthropicWire.Counts();
            String stopReason = null;
            String type = null;
            FormatException error = null;
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "id" -> b.id(orEmpty(r.stringOrNull("id")));
                    case "type" -> type = r.stringOrNull("type");
                    case "model" -> b.model(orEmpty(r.stringOrNull("model")));
                    case "content" -> {
                        if (r.arrayOrNull("content")) {
                            int j = 0;
                            while (r.nextElement()) {
                                content.add(AnthropicWire.readBlock(r, "content[" + j++ + "]", warnings));
                            }
                        }
                    }
                    case "stop_reason" -> stopReason = r.stringOrNull("stop_reason");
                    case "stop_sequence" -> b.stopSequence(r.stringOrNull("stop_sequence"));
                    case "usage" -> counts.read(r, "usage");
                    case "error" -> error = AnthropicEventReader.error(r);
                    default -> r.skip();
                }
            }
            r.end();
            if (error != null || "error".equals(type)) {
                throw error != null ? error : new FormatException("upstream error", "error");
            }
            if (type != null && !type.equals("message")) {
                throw new FormatException("expected a message, not '" + type + "'", "type");
            }
            return b.content(content).stopReason(AnthropicWire.stopReason(stopReason, warnings))
                    .usage(counts.any() ? counts.toUsage() : null).build();
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /**
     * Renders a canonical answer as an Anthropic {@code message} for a client.
     *
     * @param clientModel the model name the client asked for
     */
    public static byte[] write(ChatResponse response, String clientModel, Warnings warnings) {
        Warnings once = Warnings.once(warnings);
        JsonWriter w = new JsonWriter(512);
        w.startObject().field("id", response.id()).field("type", "message").field("role", "assistant")
                .field("model", clientModel).field("content").startArray();
        List<ContentBlock> content = response.content();
        for (int j = 0; j < content.size(); j++) {
            AnthropicWire.writeBlock(w, content.get(j), "content[" + j + "]", true, once);
        }
        w.endArray().field("stop_reason", AnthropicWire.stopReason(response.stopReason(), once))
                .field("stop_sequence", response.stopSequence().orElse(null));
        Usage usage = response.usage().orElse(null);
        if (usage == null) {
            once.unknown("usage unknown; wrote zeros (Anthropic requires usage)", "usage");
            usage = Usage.of(0, 0);
        }
        w.field("usage").startObject();
        AnthropicWire.writeUsageFields(w, usage);
        w.endObject().endObject();
        return w.take();
    }
}
