package dev.tollgate.formats;

import static dev.tollgate.formats.TestJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {

    @Test
    void slicesEveryKindOfValueExactlyFromAnOffsetInTheArray() {
        String doc = "{ \"o\" : { \"k\" :[1, 2.50 ,\"x\"] } ,\"s\":\"h\\u00e9\u00e9 \\\"q\\\"\",\"n\": -1.5e3,"
                + "\"i\":42 ,\"t\":true,\"f\":false , \"z\":null,\"last\":7}";
        byte[] bytes = utf8("garbage[" + doc + "]trailing");
        Map<String, String> raw = new LinkedHashMap<>();
        try (JsonReader r = JsonReader.of(bytes, 8, utf8(doc).length)) {
            r.rootObject("doc");
            String f;
            while ((f = r.nextField()) != null) {
                raw.put(f, r.raw().json());
            }
            r.end();
        }
        assertThat(raw).containsExactly(
                Map.entry("o", "{ \"k\" :[1, 2.50 ,\"x\"] }"),
                Map.entry("s", "\"h\\u00e9\u00e9 \\\"q\\\"\""),
                Map.entry("n", "-1.5e3"),
                Map.entry("i", "42"),
                Map.entry("t", "true"),
                Map.entry("f", "false"),
                Map.entry("z", "null"),
                Map.entry("last", "7"));
    }

    @Test
    void rejectsInvalidJsonWithFormatException() {
        byte[] bytes = utf8("{\"a\": [1, }");
        assertThatThrownBy(() -> {
            try (JsonReader r = JsonReader.of(bytes, 0, bytes.length)) {
                r.rootObject("doc");
                while (r.nextField() != null) {
                    r.skip();
                }
            }
        }).isInstanceOf(FormatException.class).hasMessageStartingWith("invalid JSON");
    }

    @Test
    void rejectsContentAfterTheDocument() {
        byte[] bytes = utf8("{} {}");
        assertThatThrownBy(() -> {
            try (JsonReader r = JsonReader.of(bytes, 0, bytes.length)) {
                r.rootObject("doc");
                r.nextField();
                r.end();
            }
        }).isInstanceOf(FormatException.class).hasMessageContaining("after the end");
    }

    @Test
    void namesTheFieldWhoseTypeIsWrong() {
        byte[] bytes = utf8("{\"temperature\":\"hot\"}");
        try (JsonReader r = JsonReader.of(bytes, 0, bytes.length)) {
            r.rootObject("doc");
            r.nextField();
            assertThatThrownBy(() -> r.doubleOrNull("temperature"))
                    .isInstanceOfSatisfying(FormatException.class, e -> assertThat(e.param()).isEqualTo("temperature"));
        }
    }

    @Test
    void recognisesJsonText() {
        assertThat(JsonWriter.isJson(" {\"a\":[1]} ")).isTrue();
        assertThat(JsonWriter.isJson("\"s\"")).isTrue();
        assertThat(JsonWriter.isJson("{\"a\":")).isFalse();
        assertThat(JsonWriter.isJson("{} {}")).isFalse();
        assertThat(JsonWriter.isJson("")).isFalse();
    }
}
