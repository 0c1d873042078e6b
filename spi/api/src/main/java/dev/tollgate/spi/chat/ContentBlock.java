package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One part of a message's content. The family is closed: a block of a type the canonical model
 * does not know is kept as {@link Opaque}, which only a renderer of its own format may emit; a
 * translator to another format refuses it with a 400 naming the type, never drops it silently.
 *
 * <p>{@code cacheControl} is a provider prompt-caching marker (Anthropic's
 * {@code {"type":"ephemeral"}}) kept as written, or {@code null}.
 */
public sealed interface ContentBlock {

    /** The kind, for switches that do not need the fields. */
    Kind kind();

    /** The kinds of {@link ContentBlock}. */
    enum Kind { TEXT, IMAGE, TOOL_USE, TOOL_RESULT, THINKING, REDACTED_THINKING, OPAQUE }

    /** Text. */
    record Text(String text, RawJson cacheControl) implements ContentBlock {
        public Text {
            requireNonNull(text, "text is null");
        }

        public static Text of(String text) {
            return new Text(text, null);
        }

        @Override
        public Kind kind() {
            return Kind.TEXT;
        }
    }

    /**
     * An image, either inline ({@code mediaType} and base64 {@code data}) or by {@code url}.
     *
     * @param detail OpenAI's {@code detail} hint ({@code low}, {@code high}, {@code auto}), or {@code null}
     */
    record Image(String mediaType, String data, String url, String detail, RawJson cacheControl) implements ContentBlock {
        public Image {
            if ((data == null) == (url == null)) {
                throw new IllegalArgumentException("an image has either data or a url");
            }
            if (data != null && mediaType == null) {
                throw new IllegalArgumentException("inline image data needs a media type");
            }
        }

        public static Image base64(String mediaType, String data) {
            return new Image(mediaType, data, null, null, null);
        }

        public static Image url(String url) {
            return new Image(null, null, url, null, null);
        }

        @Override
        public Kind kind() {
            return Kind.IMAGE;
        }
    }

    /**
     * A tool call by the assistant.
     *
     * @param id        the call's id, which the matching {@link ToolResult} names
     * @param name      the tool's name
     * @param arguments the arguments as JSON text, exactly as the model produced them (usually an
     *                  object; models can produce invalid JSON, which is kept as it is)
     */
    record ToolUse(String id, String name, String arguments) implements ContentBlock {
        public ToolUse {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
            requireNonNull(arguments, "arguments is null");
        }

        @Override
        public Kind kind() {
            return Kind.TOOL_USE;
        }
    }

    /**
     * The result of a tool call, sent by the client in a {@link Role#USER} message.
     *
     * @param content {@link Text} and {@link Image} blocks
     */
    record ToolResult(String toolUseId, List<ContentBlock> content, boolean isError, RawJson cacheControl) implements ContentBlock {
        public ToolResult {
            requireNonNull(toolUseId, "toolUseId is null");
            content = List.copyOf(content);
            for (ContentBlock b : content) {
                if (!(b instanceof Text) && !(b instanceof Image)) {
                    throw new IllegalArgumentException("a tool result holds text and images, not " + b.kind());
                }
            }
        }

        public static ToolResult text(String toolUseId, String text) {
            return new ToolResult(toolUseId, List.of(Text.of(text)), false, null);
        }

        @Override
        public Kind kind() {
            return Kind.TOOL_RESULT;
        }
    }

    /**
     * The model's visible reasoning.
     *
     * @param signature the provider's signature over the thinking (Anthropic), which must come
     *                  back unchanged in the next turn; {@code null} when there is none
     */
    record Thinking(String thinking, String signature) implements ContentBlock {
        public Thinking {
            requireNonNull(thinking, "thinking is null");
        }

        @Override
        public Kind kind() {
            return Kind.THINKING;
        }
    }

    /** Reasoning the provider returned encrypted; {@code data} must come back unchanged. */
    record RedactedThinking(String data) implements ContentBlock {
        public RedactedThinking {
            requireNonNull(data, "data is null");
        }

        @Override
        public Kind kind() {
            return Kind.REDACTED_THINKING;
        }
    }

    /**
     * A block of a type the canonical model has no record for (a document, audio, a server tool's
     * result…), as {@code format} wrote it.
     *
     * @param type the block's type as the format names it
     * @param json the whole block
     */
    record Opaque(WireFormat format, String type, RawJson json) implements ContentBlock {
        public Opaque {
            requireNonNull(format, "format is null");
            requireNonNull(type, "type is null");
            requireNonNull(json, "json is null");
        }

        @Override
        public Kind kind() {
            return Kind.OPAQUE;
        }
    }
}
