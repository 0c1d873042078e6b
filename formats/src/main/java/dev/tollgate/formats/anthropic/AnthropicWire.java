package dev.tollgate.formats.anthropic;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import dev.tollgate.formats.JsonWriter;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import java.util.ArrayList;
import java.util.List;

/** What Anthropic's requests, responses and events share: content blocks, stop reasons, usage. */
final class AnthropicWire {

    static final SerializedString TYPE = new SerializedString("type");
    static final SerializedString INDEX = new SerializedString("index");
    static final SerializedString INPUT_TOKENS = new SerializedString("input_tokens");
    static final SerializedString OUTPUT_TOKENS = new SerializedString("output_tokens");
    static final SerializedString CACHE_CREATION = new SerializedString("cache_creation_input_tokens");
    static final SerializedString CACHE_READ = new SerializedString("cache_read_input_tokens");

    private AnthropicWire() {}

    static StopReason stopReason(String reason, Warnings warnings) {
        if (reason == null) {
            warnings.unknown("missing stop_reason", "null");
            return StopReason.OTHER;
        }
        return switch (reason) {
            case "end_turn" -> StopReason.END_TURN;
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "stop_sequence" -> StopReason.STOP_SEQUENCE;
            case "tool_use" -> StopReason.TOOL_USE;
            case "pause_turn" -> StopReason.PAUSE;
            case "refusal" -> StopReason.REFUSAL;
            default -> {
                warnings.unknown("unknown stop_reason", reason);
                yield StopReason.OTHER;
            }
        };
    }

    static String stopReason(StopReason reason, Warnings warnings) {
        return switch (reason) {
            case END_TURN -> "end_turn";
            case MAX_TOKENS -> "max_tokens";
            case STOP_SEQUENCE -> "stop_sequence";
            case TOOL_USE -> "tool_use";
            case REFUSAL -> "refusal";
            case CONTENT_FILTER -> {
                warnings.unknown("stop reason carried as refusal", "CONTENT_FILTER");
                yield "refusal";
            }
            case PAUSE -> "pause_turn";
            case OTHER -> {
                warnings.unknown("stop reason carried as end_turn", "OTHER");
                yield "end_turn";
            }
        };
    }

    /** Anthropic's four counters as reported, each -1 while not reported. */
    static final class Counts {
        long input = -1;
        long output = -1;
        long cacheRead = -1;
        long cacheWrite = -1;

        /** Reads a usage object (cursor on it); a counter present in it replaces this one's. */
        void read(JsonReader r, String at) {
            if (!r.objectOrNull(at)) {
                return;
            }
            String f;
            while ((f = r.nextField()) != null) {
                switch (f) {
                    case "input_tokens" -> input = present(r, at + ".input_tokens", input);
                    case "output_tokens" -> output = present(r, at + ".output_tokens", output);
                    case "cache_read_input_tokens" -> cacheRead = present(r, at + ".cache_read_input_tokens", cacheRead);
                    case "cache_creation_input_tokens" ->
                            cacheWrite = present(r, at + ".cache_creation_input_tokens", cacheWrite);
                    default -> r.skip();
                }
            }
        }

        private static long present(JsonReader r, String param, long old) {
            return r.isNull() ? old : r.count(param);
        }

        boolean any() {
            return input >= 0 || output >= 0 || cacheRead >= 0 || cacheWrite >= 0;
        }

        /** In the canonical convention, where input counts the cached and the cache-written tokens. */
        Usage toUsage() {
            long read = Math.max(cacheRead, 0);
            long write = Math.max(cacheWrite, 0);
            return Usage.builder().inputTokens(Math.max(input, 0) + read + write).outputTokens(Math.max(output, 0))
                    .cachedInputTokens(read).cacheWriteTokens(write).build();
        }
    }

    /** Writes usage in Anthropic's convention: {@code input_tokens} without the cache reads and writes. */
    static void writeUsageFields(JsonWriter w, Usage u) {
        w.field(INPUT_TOKENS).value(Math.max(0, u.inputTokens() - u.cachedInputTokens() - u.cacheWriteTokens()))
                .field(CACHE_CREATION).value(u.cacheWriteTokens())
                .field(CACHE_READ).value(u.cachedInputTokens())
                .field(OUTPUT_TOKENS).value(u.outputTokens());
    }

    /**
     * Reads one content block (cursor on it). A type the canonical model has no record for, an image from
     * a source other than base64 or url, and a tool result holding more than text and images are kept
     * whole as {@link ContentBlock.Opaque}.
     */
    static ContentBlock readBlock(JsonReader r, String at, Warnings warnings) {
        r.object(at);
        int start = r.start();
        String type = null;
        String text = null;
        RawJson cacheControl = null;
        String sourceType = null;
        String mediaType = null;
        String data = null;
        String url = null;
        String id = null;
        String name = null;
        RawJson input = null;
        String toolUseId = null;
        List<ContentBlock> content = null;
        boolean contentOpaque = false;
        boolean isError = false;
        String thinking = null;
        String signature = null;
        List<String> dropped = null;
        String f;
        while ((f = r.nextField()) != null) {
            switch (f) {
                case "type" -> type = r.string(at + ".type");
                case "text" -> text = r.stringOrNull(at + ".text");
                case "cache_control" -> cacheControl = r.isNull() ? null : r.raw();
                case "source" -> {
                    if (r.objectOrNull(at + ".source")) {
                        String g;
                        while ((g = r.nextField()) != null) {
                            switch (g) {
                                case "type" -> sourceType = r.stringOrNull(at + ".source.type");
                                case "media_type" -> mediaType = r.stringOrNull(at + ".source.media_type");
                                case "data" -> data = r.stringOrNull(at + ".source.data");
                                case "url" -> url = r.stringOrNull(at + ".source.url");
                                default -> r.skip();
                            }
                        }
                    }
                }
                case "id" -> id = r.stringOrNull(at + ".id");
                case "name" -> name = r.stringOrNull(at + ".name");
                case "input" -> input = r.isNull() ? null : r.raw();
                case "tool_use_id" -> toolUseId = r.stringOrNull(at + ".tool_use_id");
                case "content" -> {
                    content = new ArrayList<>();
                    if (r.isString()) {
                        content.add(ContentBlock.Text.of(r.string(at + ".content")));
                    } else if (r.arrayOrNull(at + ".content")) {
                        int k = 0;
                        while (r.nextElement()) {
                            ContentBlock b = readBlock(r, at + ".content[" + k++ + "]", warnings);
                            if (b instanceof ContentBlock.Text || b instanceof ContentBlock.Image) {
                                content.add(b);
                            } else {
                                contentOpaque = true;
                            }
                        }
                    }
                }
                case "is_error" -> isError = Boolean.TRUE.equals(r.boolOrNull(at + ".is_error"));
                case "thinking" -> thinking = r.stringOrNull(at + ".thinking");
                case "signature" -> signature = r.stringOrNull(at + ".signature");
                case "data" -> data = r.stringOrNull(at + ".data");
                default -> {
                    if (!r.isNull() && !(r.isArray() && isEmptyArray(r))) {
                        (dropped == null ? dropped = new ArrayList<>() : dropped).add(f);
                    }
                    r.skip();
                }
            }
        }
        if (type == null) {
            throw new FormatException(at + ".type is required", at + ".type");
        }
        ContentBlock block = switch (type) {
            case "text" -> new ContentBlock.Text(require(text, at + ".text"), cacheControl);
            case "image" -> {
                if ("base64".equals(sourceType) && data != null && mediaType != null) {
                    yield new ContentBlock.Image(mediaType, data, null, null, cacheControl);
                }
                if ("url".equals(sourceType) && url != null) {
                    yield new ContentBlock.Image(null, null, url, null, cacheControl);
                }
                yield null;
            }
            case "tool_use" -> {
                if (cacheControl != null) {
                    warnings.unknown("dropped cache_control", at);
                }
                yield new ContentBlock.ToolUse(require(id, at + ".id"), require(name, at + ".name"),
                        input == null ? "{}" : input.json());
            }
            case "tool_result" -> contentOpaque ? null : new ContentBlock.ToolResult(require(toolUseId, at + ".tool_use_id"),
                    content == null ? List.of() : content, isError, cacheControl);
            case "thinking" -> new ContentBlock.Thinking(require(thinking, at + ".thinking"),
                    signature == null || signature.isEmpty() ? null : signature);
            case "redacted_thinking" -> new ContentBlock.RedactedThinking(require(data, at + ".data"));
            default -> null;
        };
        if (block == null) {
            return new ContentBlock.Opaque(WireFormat.ANTHROPIC_MESSAGES, type, RawJson.of(r.since(start)));
        }
        if (dropped != null) {
            for (String d : dropped) {
                warnings.unknown("dropped field", at + "." + d);
            }
        }
        return block;
    }

    private static boolean isEmptyArray(JsonReader r) {
        // peeking would consume; an empty array is "[]" in the input, which the slice shows
        int start = r.start();
        r.skip();
        String s = r.since(start);
        return s.length() <= 2 || s.substring(1, s.length() - 1).isBlank();
    }

    static String require(String value, String param) {
        if (value == null) {
            throw new FormatException(param + " is required", param);
        }
        return value;
    }

    /** A tool call's {@code input}: the arguments when they are JSON, {@code {}} when empty, else a JSON string of them. */
    static void writeInput(JsonWriter w, String arguments, String at, Warnings warnings) {
        if (arguments.isBlank()) {
            w.raw("{}");
        } else if (JsonWriter.isJson(arguments)) {
            w.raw(arguments);
        } else {
            warnings.unknown("tool arguments are not JSON; sent as a JSON string", at);
            w.value(arguments);
        }
    }

    static void writeCacheControl(JsonWriter w, RawJson cacheControl) {
        if (cacheControl != null) {
            w.field("cache_control").raw(cacheControl);
        }
    }

    /**
     * Writes one block of a message or an answer. In a request, thinking without a signature cannot go
     * back to Anthropic and is dropped (reported); in an answer it is written with an empty signature.
     */
    static boolean writeBlock(JsonWriter w, ContentBlock b, String at, boolean answer, Warnings warnings) {
        switch (b) {
            case ContentBlock.Text t -> {
                w.startObject().field("type", "text").field("text", t.text());
                writeCacheControl(w, t.cacheControl());
                w.endObject();
            }
            case ContentBlock.Image i -> {
                if (i.detail() != null) {
                    warnings.unknown("dropped image detail", at);
                }
                w.startObject().field("type", "image").field("source").startObject();
                if (i.url() != null) {
                    w.field("type", "url").field("url", i.url());
                } else {
                    w.field("type", "base64").field("media_type", i.mediaType()).field("data", i.data());
                }
                w.endObject();
                writeCacheControl(w, i.cacheControl());
                w.endObject();
            }
            case ContentBlock.ToolUse u -> {
                w.startObject().field("type", "tool_use").field("id", u.id()).field("name", u.name()).field("input");
                writeInput(w, u.arguments(), at, warnings);
                w.endObject();
            }
            case ContentBlock.ToolResult r -> {
                w.startObject().field("type", "tool_result").field("tool_use_id", r.toolUseId());
                List<ContentBlock> content = r.content();
                if (content.size() == 1 && content.get(0) instanceof ContentBlock.Text t && t.cacheControl() == null) {
                    w.field("content", t.text());
                } else if (!content.isEmpty()) {
                    w.field("content").startArray();
                    for (int k = 0; k < content.size(); k++) {
                        writeBlock(w, content.get(k), at + ".content[" + k + "]", answer, warnings);
                    }
                    w.endArray();
                }
                if (r.isError()) {
                    w.field("is_error").value(true);
                }
                writeCacheControl(w, r.cacheControl());
                w.endObject();
            }
            case ContentBlock.Thinking t -> {
                if (t.signature() == null && !answer) {
                    warnings.unknown("dropped thinking without a signature (Anthropic requires one)", at);
                    return false;
                }
                w.startObject().field("type", "thinking").field("thinking", t.thinking())
                        .field("signature", t.signature() == null ? "" : t.signature()).endObject();
            }
            case ContentBlock.RedactedThinking t ->
                    w.startObject().field("type", "redacted_thinking").field("data", t.data()).endObject();
            case ContentBlock.Opaque o -> {
                if (o.format() != WireFormat.ANTHROPIC_MESSAGES) {
                    if (answer) {
                        warnings.unknown("dropped content block", o.type());
                        return false;
                    }
                    throw new FormatException("content of type '" + o.type() + "' from " + o.format()
                            + " cannot be translated to Anthropic Messages", at);
                }
                w.raw(o.json());
            }
        }
        return true;
    }

    /** Whether {@link #writeBlock} would write {@code b} in a request. */
    static boolean writable(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Thinking t -> t.signature() != null;
            case ContentBlock.Text t -> !t.text().isEmpty();
            default -> true;
        };
    }
}
