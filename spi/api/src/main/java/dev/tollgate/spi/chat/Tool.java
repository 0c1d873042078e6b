package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

/**
 * A function the model may call.
 *
 * @param name         the function's name
 * @param description  what it does, or {@code null}
 * @param parameters   the JSON schema of its arguments, or {@code null}
 * @param strict       OpenAI's strict schema adherence, or {@code null} when unset
 * @param cacheControl a prompt-caching marker, or {@code null}
 */
public record Tool(String name, String description, RawJson parameters, Boolean strict, RawJson cacheControl) {

    public Tool {
        requireNonNull(name, "name is null");
    }

    public static Tool of(String name, String description, RawJson parameters) {
        return new Tool(name, description, parameters, null, null);
    }
}
