package dev.tollgate.spi.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Immutable HTTP header fields; names compare case-insensitively and keep their order. */
public final class Headers {

    public static final Headers EMPTY = new Headers(List.of());

    private final List<String> namesAndValues;

    private Headers(List<String> namesAndValues) {
        this.namesAndValues = namesAndValues;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Pairs of name, value. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    public Optional<String> first(String name) {
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            if (namesAndValues.get(i).equalsIgnoreCase(name)) {
                return Optional.of(namesAndValues.get(i + 1));
            }
        }
        return Optional.empty();
    }

    public List<String> all(String name) {
        List<String> out = new ArrayList<>(1);
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            if (namesAndValues.get(i).equalsIgnoreCase(name)) {
                out.add(namesAndValues.get(i + 1));
            }
        }
        return Collections.unmodifiableList(out);
    }

    public int size() {
        return namesAndValues.size() / 2;
    }

    public String name(int index) {
        return namesAndValues.get(index * 2);
    }

    public String value(int index) {
        return namesAndValues.get(index * 2 + 1);
    }

    /** A builder seeded with these headers. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.namesAndValues.addAll(namesAndValues);
        return b;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Headers[");
        for (int i = 0; i < size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(name(i));
        }
        return sb.append(']').toString();
    }

    /** Builds {@link Headers}. */
    public static final class Builder {
        private final List<String> namesAndValues = new ArrayList<>();

        private Builder() {}

        public Builder add(String name, String value) {
            if (name == null || name.isEmpty() || value == null) {
                throw new IllegalArgumentException("header name and value must be non-empty");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= ' ' || c >= 127 || c == ':') {
                    throw new IllegalArgumentException("illegal character in header name");
                }
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new IllegalArgumentException("illegal character in value of header " + name);
                }
            }
            namesAndValues.add(name);
            namesAndValues.add(value);
            return this;
        }

        /** Replaces every value of {@code name}. */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        public Builder remove(String name) {
            for (int i = namesAndValues.size() - 2; i >= 0; i -= 2) {
                if (namesAndValues.get(i).equalsIgnoreCase(name)) {
                    namesAndValues.remove(i + 1);
                    namesAndValues.remove(i);
                }
            }
            return this;
        }

        public Headers build() {
            return namesAndValues.isEmpty() ? EMPTY : new Headers(List.copyOf(namesAndValues));
        }
    }
}
