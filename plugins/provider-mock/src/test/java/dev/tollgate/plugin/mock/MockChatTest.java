package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.NOW;
import static dev.tollgate.plugin.mock.MockFixture.UPSTREAM_MODEL;
import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.chat;
import static dev.tollgate.plugin.mock.MockFixture.chatSink;
import static dev.tollgate.plugin.mock.MockFixture.conversation;
import static dev.tollgate.plugin.mock.MockFixture.embeddings;
import static dev.tollgate.plugin.mock.MockFixture.untranslatable;
import static dev.tollgate.plugin.mock.MockFixture.startChat;
import static dev.tollgate.plugin.mock.MockFixture.stream;
import static dev.tollgate.plugin.mock.MockFixture.userPrompt;
import static dev.tollgate.plugin.mock.MockFixture.words;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockChatTest {

    /** An instruction, a user turn of two texts around an image, and an earlier tool call. */
    static final ChatRequest PROMPT = conversation()
            .addSystem("You are terse.")
            .addMessage(Message.of(Role.USER, List.of(
                    ContentBlock.Text.of("Hello there"),
                    ContentBlock.Image.url("https://example.com/a b c.png"),
                    ContentBlock.Text.of("  big\n world "))))
            .addMessage(Message.of(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("x", "f", "{\"a\": \"b c\"}"))))
            .build();

    @Test
    void declaresNoNativeFormatSoEveryRequestIsTranslated() {
        assertThat(adapter(Map.of()).nativeFormats()).isEmpty();
    }

    @Test
    void answerIsOneTextBlockFromTheUpstreamModelStampedByTheContextClock() {
        ChatResponse r = chat(adapter(Map.of()), userPrompt("hi"));

        assertThat(r.id()).isEqualTo("mock-1");
        assertThat(r.model()).isEqualTo(UPSTREAM_MODEL);
        assertThat(r.created()).isEqualTo(NOW.getEpochSecond());
        assertThat(r.content()).singleElement().isInstanceOfSatisfying(ContentBlock.Text.class,
                t -> assertThat(t.text()).isNotBlank());
        assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(r.stopSequence()).isEmpty();
    }

    @Test
    void usageCountsTheWordsOfEveryTextPlusThreePerMessage() {
        ChatResponse r = chat(adapter(Map.of()), PROMPT);

        long inputTokens = 3 + 2 + 2 + 3 * 3;
        assertThat(words(r.text())).isEqualTo(16);
        assertThat(r.usage()).contains(Usage.of(inputTokens, 16));
    }

    @Test
    void everySystemInstructionCountsAsAMessage() {
        ChatRequest twoInstructions = conversation().addSystem("Be brief.").addSystem("Be kind.")
                .addMessage(Message.user("hi")).build();

        assertThat(chat(adapter(Map.of()), twoInstructions).usage().orElseThrow().inputTokens()).isEqualTo(2 + 2 + 1 + 3 * 3);
    }

    @Test
    void responseTokensSetsTheAnswerLength() {
        ChatResponse r = chat(adapter(Map.of("response_tokens", 40)), userPrompt("hi"));

        assertThat(words(r.text())).isEqualTo(40);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(40);
    }

    @Test
    void generatedAnswerReadsAsOneSentence() {
        String text = chat(adapter(Map.of()), PROMPT).text();

        assertThat(text).matches("[A-Z][a-z]*( [a-z]+)*\\.");
    }

    @Test
    void sameMessagesGetTheSameAnswerOnEveryInstanceAndOtherMessagesAnother() {
        ProviderAdapter adapter = adapter(Map.of());
        String first = chat(adapter, PROMPT).text();

        assertThat(chat(adapter, PROMPT).text()).isEqualTo(first);
        assertThat(chat(adapter(Map.of()), PROMPT).text()).isEqualTo(first);
        assertThat(chat(adapter, userPrompt("something else entirely")).text()).isNotEqualTo(first);
    }

    @Test
    void whoSaidATextChangesTheAnswer() {
        ProviderAdapter adapter = adapter(Map.of());
        String asUser = chat(adapter, conversation().addMessage(Message.user("same words")).build()).text();

        String asAssistant = chat(adapter, conversation().addMessage(Message.assistant("same words")).build()).text();

        assertThat(asAssistant).isNotEqualTo(asUser);
    }

    @Test
    void callsAreNumberedPerInstanceAcrossChatsStreamsAndEmbeddings() {
        ProviderAdapter adapter = adapter(Map.of());

        assertThat(chat(adapter, userPrompt("a")).id()).isEqualTo("mock-1");
        embeddings(adapter, "{\"input\":\"x\"}");
        assertThat(stream(adapter, userPrompt("a")).events().get(0))
                .isInstanceOfSatisfying(StreamEvent.MessageStart.class, m -> assertThat(m.id()).isEqualTo("mock-3"));
        assertThat(chat(adapter, userPrompt("a")).id()).isEqualTo("mock-4");
        assertThat(chat(adapter(Map.of()), userPrompt("a")).id()).isEqualTo("mock-1");
    }

    @Test
    void replyIsTheAnswerWordForWordWithWhitespaceCollapsed() {
        ChatResponse r = chat(adapter(Map.of("reply", "Say \"hi\"\\ to   Zoë\n🙂")), userPrompt("hi"));

        assertThat(r.text()).isEqualTo("Say \"hi\"\\ to Zoë 🙂");
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 15})
    void maxTokensCutsTheAnswerToAPrefixWithStopReasonMaxTokens(int max) {
        ProviderAdapter adapter = adapter(Map.of());
        String full = chat(adapter, PROMPT).text();

        ChatResponse cut = chat(adapter, PROMPT.toBuilder().maxTokens(max).build());

        assertThat(words(cut.text())).isEqualTo(max);
        assertThat(full).startsWith(cut.text());
        assertThat(cut.usage().orElseThrow().outputTokens()).isEqualTo(max);
        assertThat(cut.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 1000})
    void maxTokensNotBelowTheAnswerLengthChangesNothing(int max) {
        ChatRequest request = userPrompt("x").toBuilder().maxTokens(max).build();

        ChatResponse r = chat(adapter(Map.of("reply", "just three words")), request);

        assertThat(r.text()).isEqualTo("just three words");
        assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
    }

    @Test
    void answerIsDeliveredOnlyAfterTtft() {
        ObservedCall call = new ObservedCall();
        RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();

        startChat(adapter(Map.of("ttft", "150ms"), call.ticker()), userPrompt("hi"), call, sink);

        assertThat(sink.kind()).isNull();
        assertThat(call.delays()).containsExactly(Duration.ofMillis(150));
        call.runAll();
        assertThat(sink.kind()).isEqualTo(RecordingResponseSink.Kind.TRANSLATED);
    }

    @Test
    void untranslatableRequestFailsWithTheKernelsErrorAndNoAnswer() {
        GatewayException invalid = GatewayException.invalidRequest("messages", "'messages' must not be empty");

        RecordingResponseSink<ChatResponse> sink = chatSink(adapter(Map.of()), untranslatable(invalid));

        assertThat(sink.kind()).isEqualTo(RecordingResponseSink.Kind.FAILED);
        assertThat(sink.error()).isSameAs(invalid);
    }
}
