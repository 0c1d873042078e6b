package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.chatSink;
import static dev.tollgate.plugin.mock.MockFixture.request;
import static dev.tollgate.plugin.mock.MockFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mock answers from the canonical request alone: an OpenAI Chat client and an Anthropic
 * Messages client that send the same conversation get the same answer, streamed or not.
 */
class MockClientFormatTest {

    static Stream<Arguments> conversations() {
        return Stream.of(
                Arguments.of("text", MockChatTest.PROMPT),
                Arguments.of("tool call", MockToolsTest.ASKS_WITH_TOOLS),
                Arguments.of("tool result", MockToolsTest.ANSWERS_THE_CALL),
                Arguments.of("cut by max_tokens", MockChatTest.PROMPT.toBuilder().maxTokens(3).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void openAiAndAnthropicClientsGetTheSameAnswer(String name, ChatRequest chat) {
        RecordingResponseSink<ChatResponse> openAi = chatSink(adapter(Map.of()), request(WireFormat.OPENAI_CHAT, chat));
        RecordingResponseSink<ChatResponse> anthropic = chatSink(adapter(Map.of()), request(WireFormat.ANTHROPIC_MESSAGES, chat));

        assertThat(List.of(openAi.kind(), anthropic.kind())).containsOnly(RecordingResponseSink.Kind.TRANSLATED);
        ChatResponse a = openAi.response();
        ChatResponse b = anthropic.response();
        assertThat(b.content()).isEqualTo(a.content());
        assertThat(b.stopReason()).isEqualTo(a.stopReason());
        assertThat(b.usage()).isEqualTo(a.usage());
        assertThat(b.id()).isEqualTo(a.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void openAiAndAnthropicClientsGetTheSameStream(String name, ChatRequest chat) {
        ChatRequest streamed = chat.toBuilder().stream(true).build();

        RecordingStreamSink openAi = stream(adapter(Map.of()), request(WireFormat.OPENAI_CHAT, streamed));
        RecordingStreamSink anthropic = stream(adapter(Map.of()), request(WireFormat.ANTHROPIC_MESSAGES, streamed));

        assertThat(openAi.completed()).isTrue();
        assertThat(anthropic.completed()).isTrue();
        assertThat(anthropic.events()).isEqualTo(openAi.events());
    }
}
