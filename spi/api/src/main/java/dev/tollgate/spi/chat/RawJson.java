package dev.tollgate.spi.chat;

import static java.util.Objects.requireNonNull;

/**
 * A JSON value kept as its text: a JSON schema, a tool's input, a provider field the canonical
 * model has no name for. Codecs create it from JSON they parsed, so it is well-formed; the SPI does
 * not parse it again.
 */
public final class RawJson {

    private final String json;

    private RawJson(String json) {
        this.json = json;
    }

    /** Wraps {@code json}, which must be one complete JSON value. */
    public static RawJson of(String json) {
        requireNonNull(json, "json is null");
        if (json.isBlank()) {
            throw new IllegalArgumentException("json is blank");
        }
        return new RawJson(json);
    }

    /** The JSON text. */
    public String json() {
        return json;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawJson other && other.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return json.length() > 200 ? json.substring(0, 200) + "..." : json;
    }
}
