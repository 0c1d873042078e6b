package dev.tollgate.bench.stub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UpstreamStubTest {

    private static boolean stream(String json) {
        return UpstreamStub.isStream(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void detectsStreamTrueWithOrWithoutSpaces() {
        assertThat(stream("{\"model\":\"m\",\"stream\":true}")).isTrue();
        assertThat(stream("{\"stream\" : \n true, \"x\":1}")).isTrue();
        assertThat(stream("{\"stream\":false}")).isFalse();
        assertThat(stream("{\"streams\":true}")).isFalse();
        assertThat(stream("{\"model\":\"m\"}")).isFalse();
        assertThat(stream("{\"stream_options\":{\"include_usage\":true},\"stream\":true}")).isTrue();
    }

    @Test
    void theFixedAnswerLooksLikeOpenAisAndIsAboutSixHundredBytes() {
        assertThat(StubBodies.CHAT.length).isBetween(550, 650);
        assertThat(StubBodies.CHAT_JSON).contains("\"object\":\"chat.completion\"", "\"usage\":");
        assertThat(new String(StubBodies.USAGE_CHUNK, StandardCharsets.US_ASCII)).contains("\"choices\":[]", "usage");
    }
}
