package dev.tollgate.plugin.openai;

import java.io.IOException;

/**
 * Finds the members of a JSON object's top level in one pass over its bytes, without tokenizing
 * the values: strings are skipped by their quotes and escapes, objects and arrays by bracket depth.
 * This is what lets the adapter touch the few fields it needs (model, usage, choices, error) in a
 * body it otherwise forwards untouched. It checks structure (an object, balanced brackets, closed
 * strings, nothing after the closing brace), not every detail of JSON grammar; the values it hands
 * on are parsed properly by the caller.
 */
final class TopLevel {

    /** Receives each top-level member; ranges are {@code [start, end)} in the scanned array. */
    interface Visitor {
        void member(byte[] b, int keyStart, int keyEnd, int valueStart, int valueEnd) throws IOException;
    }

    private TopLevel() {}

    /** Scans {@code b[from, to)}; returns the offset of the object's closing brace. */
    static int scan(byte[] b, int from, int to, Visitor visitor) throws IOException {
        int i = skipWhitespace(b, from, to);
        if (i >= to || b[i] != '{') {
            throw new IOException("not a JSON object");
        }
        i = skipWhitespace(b, i + 1, to);
        if (i < to && b[i] == '}') {
            return end(b, i, to);
        }
        while (true) {
            if (i >= to || b[i] != '"') {
                throw new IOException("expected a member name");
            }
            int keyEnd = endOfString(b, i, to);
            int keyStart = i + 1;
            i = skipWhitespace(b, keyEnd, to);
            if (i >= to || b[i] != ':') {
                throw new IOException("expected ':'");
            }
            int valueStart = skipWhitespace(b, i + 1, to);
            int valueEnd = endOfValue(b, valueStart, to);
            visitor.member(b, keyStart, keyEnd - 1, valueStart, valueEnd);
            i = skipWhitespace(b, valueEnd, to);
            if (i < to && b[i] == ',') {
                i = skipWhitespace(b, i + 1, to);
            } else if (i < to && b[i] == '}') {
                return end(b, i, to);
            } else {
                throw new IOException("expected ',' or '}'");
            }
        }
    }

    /** Whether {@code b[start, end)} equals the ASCII {@code name}. */
    static boolean is(byte[] b, int start, int end, String name) {
        if (end - start != name.length()) {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            if (b[start + k] != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    static int skipWhitespace(byte[] b, int i, int to) {
        while (i < to && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int end(byte[] b, int closingBrace, int to) throws IOException {
        if (skipWhitespace(b, closingBrace + 1, to) != to) {
            throw new IOException("content after the JSON object");
        }
        return closingBrace;
    }

    /** {@code i} is at an opening quote; returns the offset after the closing one. */
    private static int endOfString(byte[] b, int i, int to) throws IOException {
        for (int j = i + 1; j < to; j++) {
            byte c = b[j];
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        throw new IOException("unterminated string");
    }

    private static int endOfValue(byte[] b, int i, int to) throws IOException {
        if (i >= to) {
            throw new IOException("missing value");
        }
        byte c = b[i];
        if (c == '"') {
            return endOfString(b, i, to);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            for (int j = i; j < to; j++) {
                byte d = b[j];
                if (d == '"') {
                    j = endOfString(b, j, to) - 1;
                } else if (d == '{' || d == '[') {
                    depth++;
                } else if (d == '}' || d == ']') {
                    if (--depth == 0) {
                        return j + 1;
                    }
                }
            }
            throw new IOException("unbalanced brackets");
        }
        int j = i;
        while (j < to && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t') {
            j++;
        }
        if (j == i) {
            throw new IOException("missing value");
        }
        return j;
    }
}
