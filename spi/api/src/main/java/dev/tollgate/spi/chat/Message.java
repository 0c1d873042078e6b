package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One turn of a conversation.
 *
 * @param role    who wrote it
 * @param content its blocks, in order (may be empty only for an assistant turn being prefilled)
 * @param name    OpenAI's optional participant name, or {@code null}
 */
public record Message(Role role, List<ContentBlock> content, String name) {

    public Message {
        requireNonNull(role, "role is null");
        content = List.copyOf(requireNonNull(content, "content is null"));
    }

    public static Message of(Role role, List<ContentBlock> content) {
        return new Message(role, content, null);
    }

    public static Message user(String text) {
        return new Message(Role.USER, List.of(ContentBlock.Text.of(text)), null);
    }

    public static Message assistant(String text) {
        return new Message(Role.ASSISTANT, List.of(ContentBlock.Text.of(text)), null);
    }

    /** The concatenated text of the {@link ContentBlock.Text} blocks. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : content) {
            if (b instanceof ContentBlock.Text t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }
}
