package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

/**
 * The shape the answer must have.
 *
 * @param type   plain text, any JSON object, or JSON matching {@code schema}
 * @param name   the schema's name (OpenAI requires one), or {@code null}
 * @param schema the JSON schema, for {@link Type#JSON_SCHEMA}; otherwise {@code null}
 * @param strict OpenAI's strict adherence, or {@code null} when unset
 */
public record ResponseFormat(Type type, String name, RawJson schema, Boolean strict) {

    /** The kinds of {@link ResponseFormat}. */
    public enum Type { TEXT, JSON_OBJECT, JSON_SCHEMA }

    public static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null, null, null);
    public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Type.JSON_OBJECT, null, null, null);

    public ResponseFormat {
        requireNonNull(type, "type is null");
        if ((type == Type.JSON_SCHEMA) != (schema != null)) {
            throw new IllegalArgumentException("a schema is given exactly for type JSON_SCHEMA");
        }
    }

    public static ResponseFormat jsonSchema(String name, RawJson schema, Boolean strict) {
        return new ResponseFormat(Type.JSON_SCHEMA, name, schema, strict);
    }
}
