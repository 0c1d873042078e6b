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
     * whole as {@link ContentBlock.Opaque}. Fields are read by shape, not by name alone, because a block
     * type this reader does not know may use a known name for something else; a known type whose field
     * has the wrong shape is refused once the whole block is read.
     */
    static ContentBlock readBlock(JsonReader r, String at, Warnings warnings) {
        r.object(at);
        int start = r.start();
        Shape s = new Shape();
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
            String p = at + "." + f;
            switch (f) {
                case "type" -> type = s.string(r, p);
                case "text" -> text = s.string(r, p);
                case "cache_control" -> cacheControl = r.isNull() ? null : r.raw();
                case "source" -> {
                    if (r.isObject()) {
                        String g;
                        while ((g = r.nextField()) != null) {
                            String q = p + "." + g;
                            switch (g) {
                                case "type" -> sourceType = s.string(r, q);
                                case "media_type" -> mediaType = s.string(r, q);
                                case "data" -> data = s.string(r, q);
                                case "url" -> url = s.string(r, q);
                                default -> r.skip();
                            }
                        }
                    } else {
                        s.odd(r, p);
                    }
                }
                case "id" -> id = s.string(r, p);
                case "name" -> name = s.string(r, p);
                case "input" -> input = r.isNull() ? null : r.raw();
                case "tool_use_id" -> toolUseId = s.string(r, p);
                case "content" -> {
                    content = new ArrayList<>();
                    if (r.isString()) {
                        content.add(ContentBlock.Text.of(r.string(p)));
                    } else if (r.isArray()) {
                        int k = 0;
                        while (r.nextElement()) {
                            String q = p + "[" + k++ + "]";
                            if (!r.isObject()) {
                                s.odd(r, q);
                                continue;
                            }
                            try {
                                ContentBlock b = readBlock(r, q, warnings);
                                if (b instanceof ContentBlock.Text || b instanceof ContentBlock.Image) {
                                    content.add(b);
                                } else {
                                    contentOpaque = true;
                                }
                            } catch (FormatException e) {
                                // readBlock throws only once its block is read: the cursor is past it
                                s.odd = s.odd == null ? e.param() : s.odd;
                            }
                        }
                    } else {
                        s.odd(r, p);
                    }
                }
                case "is_error" -> {
                    if (r.isNull() || r.isBoolean()) {
                        isError = Boolean.TRUE.equals(r.boolOrNull(p));
                    } else {
                        s.odd(r, p);
                    }
                }
                case "thinking" -> thinking = s.string(r, p);
                case "signature" -> signature = s.string(r, p);
                case "data" -> data = s.string(r, p);
                default -> {
                    if (!r.isNull() && !(r.isArray() && isEmptyArray(r))) {
                        (dropped == null ? dropped = new ArrayList<>() : dropped).add(f);
                    }
                    r.skip();
                }
            }
        }
        if (type == null) {
            String p = s.odd != null && s.odd.equals(at + ".type") ? s.odd : at + ".type";
            throw new FormatException(p + " is required", p);
        }
        boolean known = switch (type) {
            case "text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking" -> true;
            default -> false;
        };
        if (known && s.odd != null) {
            throw new FormatException(s.odd + " is missing or has the wrong type", s.odd);
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

    /** The first field of a block whose shape did not fit what its name usually holds. */
    private static final class Shape {
        String odd;

        String string(JsonReader r, String param) {
            if (r.isString() || r.isNull()) {
                return r.stringOrNull(param);
            }
            odd(r, param);
            return null;
        }

        void odd(JsonReader r, String param) {
            if (odd == null) {
                odd = param;
            }
            r.skip();
        }
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
