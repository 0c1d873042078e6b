package dev.tollgate.formats.openai;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.JsonReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The request fields a Responses {@code response} object repeats ({@code instructions}, {@code tools},
 * {@code temperature}, ...), exactly as the client sent them. A field the client left out or sent as
 * {@code null} is not held, and the response object carries its default.
 */
public final class RequestEcho {

    /** Nothing echoed: every field carries its default. */
    public static final RequestEcho NONE = new RequestEcho(Map.of());

    static final Set<String> ECHOED = Set.of("instructions", "max_output_tokens", "metadata", "parallel_tool_calls",
            "reasoning", "temperature", "text", "tool_choice", "tools", "top_p", "truncation", "user");

    private final Map<String, String> fields;

    private RequestEcho(Map<String, String> fields) {
        this.fields = fields;
    }

    /**
     * The echoed fields of a Responses request body. A body that is not a JSON object echoes nothing
     * (it was refused before an answer could be written).
     */
    public static RequestEcho of(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        try (JsonReader r = JsonReader.of(body, 0, body.length)) {
            r.rootObject("the request");
            for (String name = r.nextField(); name != null; name = r.nextField()) {
                if (ECHOED.contains(name) && !r.isNull()) {
                    fields.put(name, r.raw().json());
                } else {
                    r.skip();
                }
            }
        } catch (FormatException e) {
            return NONE;
        }
        return fields.isEmpty() ? NONE : new RequestEcho(Map.copyOf(fields));
    }

    /** The field's JSON as the client sent it, or {@code null} when it carries its default. */
    public String get(String field) {
        return fields.get(field);
    }
}
