package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseScanTest {

    private static ResponseScan scan(String json) throws IOException {
        return ResponseScan.of(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
        "stop, END_TURN",
        "length, MAX_TOKENS",
        "tool_calls, TOOL_USE",
        "function_call, TOOL_USE",
        "content_filter, CONTENT_FILTER",
        "eos, OTHER",
    })
    void mapsTheFinishReason(String finishReason, StopReason expected) throws IOException {
        ResponseScan s = scan("{\"choices\":[{\"index\":0,\"message\":{\"content\":\"x\"},\"finish_reason\":\"" + finishReason + "\"}]}");

        assertThat(s.stopReason()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}",
        "{\"finish_reason\":\"stop\",\"choices\":[{\"delta\":{}}]}",
        "{\"data\":[]}"})
    void noFinishReasonInsideTheChoicesIsNoStopReason(String json) throws IOException {
        assertThat(scan(json).stopReason()).isNull();
    }

    @Test
    void aStringReadingFinishReasonIsSkipped() throws IOException {
        ResponseScan s = scan("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"finish_reason\"},\"logprobs\":{\"content\":"
                + "[{\"token\":\"finish_reason\",\"logprob\":-0.1}]},\"finish_reason\" : \"length\"}]}");

        assertThat(s.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
    }

    @Test
    void readsUsageChoicesAndErrorAtTheTopLevelOnly() throws IOException {
        ResponseScan s = scan("{\"choices\":[{\"message\":{\"usage\":{\"prompt_tokens\":999},\"error\":\"no\"}}],"
                + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":30},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":2}}}");

        assertThat(s.usage()).isEqualTo(Usage.builder().inputTokens(20).outputTokens(5).cachedInputTokens(20).reasoningTokens(2).build());
        assertThat(s.choices()).isTrue();
        assertThat(s.choicesEmpty()).isFalse();
        assertThat(s.error()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "12 | 12",
        "12.9 | 12",
        "1.2e3 | 1200",
        "-4 | 0",
        "-0.5 | 0",
        "\"7\" | 0",
        "null | 0",
        "true | 0",
        "{\"n\":3} | 0",
        "[1] | 0",
        "99999999999999999999999 | 9223372036854775807"})
    void countsAreNonNegativeNumbersAndAnythingElseIsZero(String value, long expected) throws IOException {
        Usage u = scan("{\"usage\":{\"prompt_tokens\":" + value + ",\"completion_tokens\":1}}").usage();

        assertThat(u.inputTokens()).isEqualTo(expected);
        assertThat(u.outputTokens()).isEqualTo(1);
    }

    @Test
    void detailsThatAreNoObjectsCountZeroAndOtherDetailFieldsAreIgnored() throws IOException {
        Usage u = scan("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":8,\"prompt_tokens_details\":null,"
                + "\"completion_tokens_details\":{\"audio_tokens\":5,\"reasoning_tokens\":3,\"x\":{\"reasoning_tokens\":7}},"
                + "\"total_tokens\":18}}").usage();

        assertThat(u).isEqualTo(Usage.builder().inputTokens(10).outputTokens(8).cachedInputTokens(0).reasoningTokens(3).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"12a", "-", "1..2x", "0x10", "sk-a-reflected-key", "nul", "True"})
    void aCountThatIsNotJsonIsAnError(String value) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> scan("{\"usage\":{\"prompt_tokens\":" + value + "}}")).isInstanceOf(IOException.class);
    }

    @Test
    void deepSeeksCacheHitsCountAsCachedInput() throws IOException {
        Usage u = scan("{\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":8,\"total_tokens\":108,"
                + "\"prompt_cache_hit_tokens\":64,\"prompt_cache_miss_tokens\":36}}").usage();

        assertThat(u.cachedInputTokens()).isEqualTo(64);
        assertThat(u.inputTokens()).isEqualTo(100);
    }

    @Test
    void readsTheResponsesApisUsageNamesAndTheAnswersId() throws IOException {
        ResponseScan r = scan("{\"id\":\"resp_\\u0031\",\"object\":\"response\",\"output\":[],\"usage\":{\"input_tokens\":120,"
                + "\"input_tokens_details\":{\"cached_tokens\":100},\"output_tokens\":40,"
                + "\"output_tokens_details\":{\"reasoning_tokens\":32},\"total_tokens\":160}}");

        assertThat(r.usage()).isEqualTo(Usage.builder().inputTokens(120).cachedInputTokens(100).outputTokens(40).reasoningTokens(32).build());
        assertThat(r.output()).isTrue();
        assertThat(r.choices()).isFalse();
        assertThat(r.id()).as("unescaped").isEqualTo("resp_1");
    }
}
