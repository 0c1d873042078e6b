package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.plugin.openai.RequestBodies.StreamOptions;
import dev.tollgate.spi.Bytes;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9 \\\"q\\\" \\n ☃\"}],"
            + "\"temperature\":0.70,\"top_p\":1e-7,\"seed\":123456789012345678901234567890,"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"model\":\"inner\"}}}],"
            + "\"logit_bias\":{\"50256\":-100},\"n\":null,\"stop\":[],\"stream\":false}";

    @Test
    void replacesOnlyTheTopLevelModel() throws IOException {
        Bytes out = RequestBodies.forUpstream(Bytes.utf8(BODY), "gpt-4o", "gpt-4o-2024-08-06", StreamOptions.KEEP);

        String text = out.utf8();
        assertThat(text).startsWith("{\"model\":\"gpt-4o-2024-08-06\",");
        assertThat(text).contains("\"temperature\":0.70", "\"top_p\":1e-7", "\"seed\":123456789012345678901234567890");
        JsonNode expected = MAPPER.readTree(BODY);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("model", "gpt-4o-2024-08-06");
        assertThat(MAPPER.readTree(text)).isEqualTo(expected);
        assertThat(MAPPER.readTree(text).at("/tools/0/function/parameters/model").asText()).isEqualTo("inner");
        assertThat(text).doesNotContain("stream_options");
    }

    @Test
    void sameModelSendsTheClientBytesThemselves() throws IOException {
        Bytes body = Bytes.utf8(BODY);

        assertThat(RequestBodies.forUpstream(body, "gpt-4o", "gpt-4o", StreamOptions.KEEP)).isSameAs(body);
        assertThat(RequestBodies.forUpstream(body, "gpt-4o", "gpt-4o", StreamOptions.REMOVE)).isSameAs(body);
    }

    @Test
    void includeUsageAddedWhenAbsent() throws IOException {
        Bytes out = RequestBodies.forUpstream(Bytes.utf8("{\"model\":\"a\",\"stream\":true}"), "a", "a",
                StreamOptions.INCLUDE_USAGE);

        assertThat(out.utf8()).isEqualTo("{\"model\":\"a\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void includeUsageTheClientAskedForKeepsTheClientBytes() throws IOException {
        String body = "{\"model\":\"a\",\"stream\":true,\"stream_options\": { \"include_usage\" : true, \"x\":1 }}";

        Bytes out = RequestBodies.forUpstream(Bytes.utf8(body), "a", "b", StreamOptions.INCLUDE_USAGE);

        assertThat(out.utf8()).isEqualTo(body.replace("\"a\"", "\"b\""));
    }

    @Test
    void includeUsageNotPlainlyTrueIsRewritten() throws IOException {
        for (String options : new String[] {"{\"include_usage\":\"true\"}", "{\"include_usage\":true,\"include_usage\":false}",
                "{}", "true"}) {
            String body = "{\"model\":\"a\",\"stream\":true,\"stream_options\":" + options + "}";

            JsonNode out = MAPPER.readTree(RequestBodies.forUpstream(Bytes.utf8(body), "a", "a", StreamOptions.INCLUDE_USAGE).utf8());

            assertThat(out.get("stream_options").get("include_usage").isBoolean()).as(options).isTrue();
            assertThat(out.get("stream_options").get("include_usage").asBoolean()).as(options).isTrue();
        }
    }

    @Test
    void includeUsageMergedIntoExistingStreamOptions() throws IOException {
        String body = "{\"stream_options\":{\"include_usage\":false,\"continuous_usage_stats\":true},\"model\":\"a\",\"stream\":true}";

        JsonNode out = MAPPER.readTree(RequestBodies.forUpstream(Bytes.utf8(body), "a", "b", StreamOptions.INCLUDE_USAGE).utf8());

        assertThat(out.get("model").asText()).isEqualTo("b");
        assertThat(out.get("stream_options").get("include_usage").asBoolean()).isTrue();
        assertThat(out.get("stream_options").get("continuous_usage_stats").asBoolean()).isTrue();
        assertThat(out.get("stream_options").size()).isEqualTo(2);
    }

    @Test
    void nullStreamOptionsBecomeAnObject() throws IOException {
        Bytes out = RequestBodies.forUpstream(Bytes.utf8("{\"model\":\"a\",\"stream_options\":null}"), "a", "a",
                StreamOptions.INCLUDE_USAGE);

        assertThat(out.utf8()).isEqualTo("{\"model\":\"a\",\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void removeDropsStreamOptions() throws IOException {
        Bytes out = RequestBodies.forUpstream(
                Bytes.utf8("{\"model\":\"a\",\"stream_options\":{\"include_usage\":true},\"stream\":true}"), "a", "a",
                StreamOptions.REMOVE);

        assertThat(out.utf8()).isEqualTo("{\"model\":\"a\",\"stream\":true}");
    }

    @Test
    void missingModelIsAdded() throws IOException {
        Bytes out = RequestBodies.forUpstream(Bytes.utf8("{\"input\":\"x\"}"), "a", "b", StreamOptions.KEEP);

        assertThat(out.utf8()).isEqualTo("{\"input\":\"x\",\"model\":\"b\"}");
    }

    @Test
    void notAnObjectIsRefused() {
        assertThatThrownBy(() -> RequestBodies.forUpstream(Bytes.utf8("[1]"), "a", "b", StreamOptions.KEEP))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> RequestBodies.forUpstream(Bytes.utf8("{\"model\":\"a\""), "a", "b", StreamOptions.KEEP))
                .isInstanceOf(IOException.class);
    }
}
