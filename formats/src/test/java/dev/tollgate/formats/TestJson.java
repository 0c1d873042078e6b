package dev.tollgate.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.chat.ChatRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Helpers the format tests share. */
public final class TestJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestJson() {}

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(byte[] json) {
        return tree(text(json));
    }

    /** Asserts two JSON documents are equal as trees, numbers compared by value (1 equals 1.0). */
    public static void assertJsonEquals(String actual, String expected) {
        JsonNode a = tree(actual);
        JsonNode e = tree(expected);
        Comparator<JsonNode> numeric = (x, y) -> {
            if (x.equals(y)) {
                return 0;
            }
            if (x.isNumber() && y.isNumber()) {
                return x.decimalValue().compareTo(y.decimalValue());
            }
            return 1;
        };
        assertThat(a.equals(numeric, e)).as("JSON\n%s\nequals\n%s", a.toPrettyString(), e.toPrettyString()).isTrue();
    }

    /** Collects warnings as "what: value". */
    public static final class Collected implements Warnings {
        public final List<String> all = new ArrayList<>();

        @Override
        public void unknown(String what, String value) {
            all.add(what + ": " + value);
        }
    }

    /** Asserts every field of two requests is equal (ChatRequest has no equals of its own). */
    public static void assertSameRequest(ChatRequest actual, ChatRequest expected) {
        assertThat(actual.model()).isEqualTo(expected.model());
        assertThat(actual.system()).isEqualTo(expected.system());
        assertThat(actual.messages()).isEqualTo(expected.messages());
        assertThat(actual.tools()).isEqualTo(expected.tools());
        assertThat(actual.toolChoice()).isEqualTo(expected.toolChoice());
        assertThat(actual.parallelToolCalls()).isEqualTo(expected.parallelToolCalls());
        assertThat(actual.responseFormat()).isEqualTo(expected.responseFormat());
        assertThat(actual.temperature()).isEqualTo(expected.temperature());
        assertThat(actual.topP()).isEqualTo(expected.topP());
        assertThat(actual.topK()).isEqualTo(expected.topK());
        assertThat(actual.seed()).isEqualTo(expected.seed());
        assertThat(actual.presencePenalty()).isEqualTo(expected.presencePenalty());
        assertThat(actual.frequencyPenalty()).isEqualTo(expected.frequencyPenalty());
        assertThat(actual.stop()).isEqualTo(expected.stop());
        assertThat(actual.maxTokens()).isEqualTo(expected.maxTokens());
        assertThat(actual.reasoning()).isEqualTo(expected.reasoning());
        assertThat(actual.user()).isEqualTo(expected.user());
        assertThat(actual.metadata()).isEqualTo(expected.metadata());
        assertThat(actual.stream()).isEqualTo(expected.stream());
        assertThat(actual.includeUsage()).isEqualTo(expected.includeUsage());
        assertThat(actual.extraFormat()).isEqualTo(expected.extraFormat());
        assertThat(actual.extra()).isEqualTo(expected.extra());
    }
}
