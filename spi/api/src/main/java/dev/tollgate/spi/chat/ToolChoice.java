package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

/**
 * Whether and which tool the model must call.
 *
 * @param mode what is asked
 * @param name the tool, for {@link Mode#TOOL}; otherwise {@code null}
 */
public record ToolChoice(Mode mode, String name) {

    /** What a {@link ToolChoice} asks. */
    public enum Mode {
        /** The model decides (OpenAI {@code auto}, Anthropic {@code auto}). */
        AUTO,
        /** No tool call (OpenAI {@code none}, Anthropic {@code none}). */
        NONE,
        /** Some tool call (OpenAI {@code required}, Anthropic {@code any}). */
        REQUIRED,
        /** This tool (OpenAI {@code {"type":"function",...}}, Anthropic {@code {"type":"tool",...}}). */
        TOOL
    }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public ToolChoice {
        requireNonNull(mode, "mode is null");
        if ((mode == Mode.TOOL) != (name != null)) {
            throw new IllegalArgumentException("a tool name is given exactly for mode TOOL");
        }
    }

    public static ToolChoice tool(String name) {
        return new ToolChoice(Mode.TOOL, name);
    }
}
