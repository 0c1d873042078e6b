package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingScanTest {

    private static final String USAGE = "{\"prompt_tokens\":11,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":8}}";
    private static final String ANSWER = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":" + USAGE + ",\"system_fingerprint\":\"fp\"}";

    private static StreamingScan scan(String json) {
        return scan(json.getBytes(StandardCharsets.UTF_8), 1 << 20);
    }

    private static StreamingScan scan(byte[] json, int pieceSize) {
        StreamingScan s = new StreamingScan();
        for (int i = 0; i < json.length; i += pieceSize) {
            s.feed(ByteBuffer.wrap(json, i, Math.min(pieceSize, json.length - i)));
        }
        return s;
    }

    private static String usage(StreamingScan s) {
        byte[] b = s.usageBytes();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void capturesTheUsageWhereverTheBytesAreSplit() {
        byte[] bytes = ANSWER.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            StreamingScan s = new StreamingScan();
            s.feed(ByteBuffer.wrap(bytes, 0, split));
            s.feed(ByteBuffer.wrap(bytes, split, bytes.length - split));

            assertThat(s.complete()).as("split at %d", split).isTrue();
            assertThat(usage(s)).as("split at %d", split).isEqualTo(USAGE);
            assertThat(s.has("choices")).isTrue();
        }
        StreamingScan byteByByte = scan(bytes, 1);
        assertThat(usage(byteByByte)).isEqualTo(USAGE);
        assertThat(byteByByte.complete()).isTrue();
    }

    @Test
    void feedingDoesNotConsumeTheBuffer() {
        ByteBuffer buffer = ByteBuffer.wrap(ANSWER.getBytes(StandardCharsets.UTF_8));

        new StreamingScan().feed(buffer);

        assertThat(buffer.position()).isZero();
        assertThat(buffer.remaining()).isEqualTo(ANSWER.length());
    }

    @Test
    void capturesAScalarOrLastUsageValueUpToItsEnd() {
        assertThat(usage(scan("{\"choices\":[],\"usage\":null}"))).isEqualTo("null");
        assertThat(usage(scan("{\"choices\":[],\"usage\":\"a,b}\",\"x\":1}"))).isEqualTo("\"a,b}\"");
        assertThat(usage(scan("{\"choices\":[],\"usage\": " + USAGE + " }"))).isEqualTo(USAGE + " ");
        assertThat(usage(scan("{\"usage\":" + USAGE + "}"))).isEqualTo(USAGE);
    }

    @Test
    void ignoresUsageKeysBelowTheTopLevel() {
        StreamingScan nested = scan("{\"choices\":[{\"message\":{\"usage\":{\"prompt_tokens\":999}}}],"
                + "\"meta\":{\"usage\":{\"prompt_tokens\":998}},\"list\":[\"usage\",{\"usage\":1}]}");
        StreamingScan nestedThenTop = scan("{\"choices\":[{\"usage\":{\"prompt_tokens\":999}}],\"usage\":" + USAGE + "}");

        assertThat(nested.complete()).isTrue();
        assertThat(nested.usageBytes()).isNull();
        assertThat(nested.has("usage")).isFalse();
        assertThat(nested.has("meta")).isTrue();
        assertThat(usage(nestedThenTop)).isEqualTo(USAGE);
    }

    @Test
    void aStringValueReadingUsageIsNotTheUsageKey() {
        StreamingScan s = scan("{\"note\":\"usage\",\"choices\":[]}");

        assertThat(s.complete()).isTrue();
        assertThat(s.usageBytes()).isNull();
        assertThat(s.has("usage")).isFalse();
    }

    @Test
    void stringsHoldingBracesAndEscapedQuotesDoNotBreakTheStructure() {
        String usage = "{\"note\":\"}{][,\\\"usage\\\":1\\\\\",\"prompt_tokens\":4}";
        String json = "{\"id\":\"}]\\\"{[\",\"weird\\\"key\":\"\\\\\",\"choices\":[{\"text\":\"\\\"}]}\\\"\"}],\"usage\":" + usage
                + ",\"after\":\"\\u0022}\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

        for (int size : new int[] {1, 2, 3, 5, bytes.length}) {
            StreamingScan s = scan(bytes, size);
            assertThat(s.complete()).as("pieces of %d", size).isTrue();
            assertThat(usage(s)).as("pieces of %d", size).isEqualTo(usage);
            assertThat(s.has("choices")).isTrue();
            assertThat(s.has("after")).isTrue();
        }
    }

    @Test
    void everyProperPrefixOfAnAnswerIsIncomplete() {
        byte[] bytes = ANSWER.getBytes(StandardCharsets.UTF_8);
        for (int end = 0; end < bytes.length; end++) {
            StreamingScan s = new StreamingScan();
            s.feed(ByteBuffer.wrap(bytes, 0, end));

            assertThat(s.complete()).as("first %d bytes", end).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "[{\"choices\":[]}]", "\"text\"", "<html><body>{}</body></html>", "null",
            "{\"choices\":[", "{\"a\":\"unterminated}", "{\"a\":\"escaped quote\\\"}"})
    void detectsWhatIsNotOneObject(String json) {
        assertThat(scan(json).complete()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} x", "{}{}", "{\"a\":1}}", "{\"a\":[1]}]", "{\"choices\":[]}\n<html>", "{\"a\":1},"})
    void detectsTrailingGarbage(String json) {
        StreamingScan s = scan(json);

        assertThat(s.complete()).isFalse();
    }

    @Test
    void allowsWhitespaceAroundTheObject() {
        StreamingScan s = scan(" \r\n\t{ \"choices\" : [ ] , \"usage\" : { \"prompt_tokens\" : 1 } }\n\n");

        assertThat(s.complete()).isTrue();
        assertThat(s.has("choices")).isTrue();
        assertThat(usage(s)).isEqualTo("{ \"prompt_tokens\" : 1 } ");
    }

    @Test
    void dropsAUsageValueTooLargeToKeep() {
        String huge = "{\"prompt_tokens\":1,\"pad\":\"" + "p".repeat(StreamingScan.MAX_USAGE_BYTES) + "\"}";

        StreamingScan s = scan("{\"choices\":[],\"usage\":" + huge + "}");

        assertThat(s.complete()).isTrue();
        assertThat(s.usageBytes()).isNull();
    }
}
