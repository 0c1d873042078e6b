package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.MODEL;
import static dev.tollgate.plugin.mock.MockFixture.NOW;
import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.chat;
import static dev.tollgate.plugin.mock.MockFixture.chatFailure;
import static dev.tollgate.plugin.mock.MockFixture.content;
import static dev.tollgate.plugin.mock.MockFixture.json;
import static dev.tollgate.plugin.mock.MockFixture.userPrompt;
import static dev.tollgate.plugin.mock.MockFixture.words;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.Usage;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockChatTest {

    private static final String PROMPT = """
            {"model":"client-model","messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":[
                {"type":"text","text":"Hello there"},
                {"type":"image_url","image_url":{"url":"https://example.com/a b c.png"}},
                {"type":"text","text":"  big\\n world "}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"x","type":"function",
                "function":{"name":"f","arguments":"{\\"a\\": \\"b c\\"}"}}]}]}
            """;

    @Test
    void completionHasTheOpenAiShapeWithTheClientsModelAndTheContextClock() {
        JsonNode body = json(chat(adapter(Map.of()), userPrompt("hi")).body());

        assertThat(body.path("id").asText()).matches("chatcmpl-mock-\\d+");
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("created").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(body.path("model").asText()).isEqualTo(MODEL);
        assertThat(body.path("choices")).hasSize(1);
        JsonNode choice = body.path("choices").path(0);
        assertThat(choice.path("index").asInt()).isZero();
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isNotBlank();
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void usageMatchesTheWordsSentAndTheResultUsage() {
        ProviderResult result = chat(adapter(Map.of()), PROMPT);
        JsonNode usage = json(result.body()).path("usage");
        String content = content(result);

        long promptTokens = 3 + 2 + 2 + 3 * 3;
        assertThat(words(content)).isEqualTo(16);
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(promptTokens);
        assertThat(usage.path("completion_tokens").asLong()).isEqualTo(16);
        assertThat(usage.path("total_tokens").asLong()).isEqualTo(promptTokens + 16);
        assertThat(result.usage()).isEqualTo(Usage.of(promptTokens, 16));
    }

    @Test
    void responseTokensSetsTheAnswerLength() {
        ProviderResult result = chat(adapter(Map.of("response_tokens", 40)), userPrompt("hi"));

        assertThat(words(content(result))).isEqualTo(40);
        assertThat(result.usage().completionTokens()).isEqualTo(40);
    }

    @Test
    void sameRequestGetsTheSameAnswerOnEveryInstanceAndAnotherPromptAnother() {
        ProviderAdapter adapter = adapter(Map.of());
        String first = content(chat(adapter, PROMPT));

        assertThat(content(chat(adapter, PROMPT))).isEqualTo(first);
        assertThat(content(chat(adapter(Map.of()), PROMPT))).isEqualTo(first);
        assertThat(content(chat(adapter, userPrompt("something else entirely")))).isNotEqualTo(first);
    }

    @Test
    void idsAreNumberedPerInstance() {
        ProviderAdapter adapter = adapter(Map.of());

        assertThat(json(chat(adapter, userPrompt("a")).body()).path("id").asText()).isEqualTo("chatcmpl-mock-1");
        assertThat(json(chat(adapter, userPrompt("a")).body()).path("id").asText()).isEqualTo("chatcmpl-mock-2");
    }

    @Test
    void replyIsTheAnswerWordForWordAndEscapedAsJson() {
        ProviderResult result = chat(adapter(Map.of("reply", "Say \"hi\"\\ to   Zoë\n🙂")), userPrompt("hi"));

        assertThat(content(result)).isEqualTo("Say \"hi\"\\ to Zoë 🙂");
        assertThat(result.usage().completionTokens()).isEqualTo(5);
    }

    @ParameterizedTest
    @CsvSource({
        "max_tokens, 5",
        "max_completion_tokens, 3",
    })
    void maxTokensCutsTheAnswerToAPrefixWithFinishReasonLength(String field, int max) {
        ProviderAdapter adapter = adapter(Map.of());
        String full = content(chat(adapter, PROMPT));

        ProviderResult cut = chat(adapter, PROMPT.replace("{\"model\"", "{\"" + field + "\":" + max + ",\"model\""));

        assertThat(words(content(cut))).isEqualTo(max);
        assertThat(full).startsWith(content(cut));
        assertThat(cut.usage().completionTokens()).isEqualTo(max);
        assertThat(json(cut.body()).path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void theSmallerOfMaxTokensAndMaxCompletionTokensWins() {
        ProviderResult cut = chat(adapter(Map.of()),
                "{\"max_tokens\":9,\"max_completion_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(cut.usage().completionTokens()).isEqualTo(4);
    }

    @Test
    void maxTokensAboveTheAnswerLengthChangesNothing() {
        ProviderResult result = chat(adapter(Map.of("reply", "just three words")),
                "{\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(content(result)).isEqualTo("just three words");
        assertThat(json(result.body()).path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void answerArrivesNoEarlierThanTtft() {
        ProviderAdapter adapter = adapter(Map.of("ttft", "150ms"));
        long start = System.nanoTime();

        chat(adapter, userPrompt("hi"));

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(140_000_000L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "not json at all                                            | NONE",
        "[1,2]                                                      | NONE",
        "{\"model\":\"m\"}                                          | messages",
        "{\"messages\":\"hello\"}                                   | messages",
        "{\"messages\":[]}                                          | messages",
        "{\"messages\":[\"hello\"]}                                 | messages[0]",
        "{\"messages\":[{\"role\":\"user\",\"content\":42}]}        | messages[0].content",
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":1}]}]} | messages[0].content",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}   | max_tokens",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_completion_tokens\":\"5\"} | max_completion_tokens",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]                     | NONE",
    })
    void badBodiesAreClientErrorsNamingTheField(String body, String param) {
        GatewayException e = chatFailure(adapter(Map.of()), body);

        assertThat(e.type()).isEqualTo(ErrorType.CLIENT);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo(Optional.ofNullable(param));
    }
}
