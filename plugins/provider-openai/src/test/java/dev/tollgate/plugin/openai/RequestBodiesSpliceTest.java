package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.plugin.openai.RequestBodies.StreamOptions;
import dev.tollgate.spi.Bytes;
import org.junit.jupiter.api.Test;

class RequestBodiesSpliceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void replacesOnlyTheModelValueAndKeepsEveryOtherByte() throws Exception {
        String body = "{ \"model\" : \"alias\",\n \"messages\":[{\"role\":\"user\",\"content\":\"x\"}], \"temperature\": 0.70 }";
        Bytes out = RequestBodies.splice(Bytes.utf8(body), "gpt-4o-2024-08-06", StreamOptions.KEEP);
        assertThat(out.utf8()).isEqualTo(body.replace("\"alias\"", "\"gpt-4o-2024-08-06\""));
    }

    @Test
    void appendsStreamOptionsBeforeTheClosingBrace() throws Exception {
        String body = "{\"model\":\"a\",\"stream\":true,\"messages\":[]}  ";
        Bytes out = RequestBodies.splice(Bytes.utf8(body), "b", StreamOptions.INCLUDE_USAGE);
        assertThat(out.utf8()).isEqualTo("{\"model\":\"b\",\"stream\":true,\"messages\":[],\"stream_options\":{\"include_usage\":true}}  ");
        assertThat(JSON.readTree(out.utf8()).at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void escapesTheUpstreamModelName() throws Exception {
        Bytes out = RequestBodies.splice(Bytes.utf8("{\"model\":\"a\",\"messages\":[]}"), "we\"ird\\name", StreamOptions.KEEP);
        assertThat(JSON.readTree(out.utf8()).get("model").asText()).isEqualTo("we\"ird\\name");
    }

    @Test
    void handsUnusualBodiesToTheFullRewrite() throws Exception {
        assertThat(RequestBodies.splice(Bytes.utf8("{\"model\":\"a\",\"stream_options\":{\"x\":1},\"messages\":[]}"), "b",
                StreamOptions.INCLUDE_USAGE)).isNull();
        assertThat(RequestBodies.splice(Bytes.utf8("{\"model\":\"a\",\"model\":\"c\",\"messages\":[]}"), "b", StreamOptions.KEEP)).isNull();
        Bytes merged = RequestBodies.rewrite(Bytes.utf8("{\"model\":\"a\",\"stream_options\":{\"x\":1},\"messages\":[]}"), "b",
                StreamOptions.INCLUDE_USAGE);
        assertThat(JSON.readTree(merged.utf8()).get("stream_options").toString()).isEqualTo("{\"x\":1,\"include_usage\":true}");
    }

    @Test
    void multibyteCharactersBeforeTheModelKeepTheirOffsets() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"héllo wörld ✓\"}],\"model\":\"a\"}";
        Bytes out = RequestBodies.splice(Bytes.utf8(body), "bbb", StreamOptions.KEEP);
        assertThat(out.utf8()).isEqualTo(body.replace("\"model\":\"a\"", "\"model\":\"bbb\""));
    }
}
