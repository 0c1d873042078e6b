package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.chat;
import static dev.tollgate.plugin.mock.MockFixture.conversation;
import static dev.tollgate.plugin.mock.MockFixture.json;
import static dev.tollgate.plugin.mock.MockFixture.stream;
import static dev.tollgate.plugin.mock.MockFixture.toolUses;
import static dev.tollgate.plugin.mock.MockFixture.words;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.RawJson;
import dev.tollgate.spi.chat.Role;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Tool;
import dev.tollgate.spi.chat.ToolChoice;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockToolsTest {

    static final Tool WEATHER = Tool.of("get_weather", "The weather in a city", RawJson.of("""
            {"type":"object",
             "properties":{"city":{"type":"string"},"unit":{"type":"string"},"days":{"type":"integer"}},
             "required":["city","unit"]}"""));
    static final Tool SEARCH = Tool.of("search", "Searches the web", RawJson.of("""
            {"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}"""));
    static final String QUESTION = "What is the weather in Paris?";
    static final ChatRequest ASKS_WITH_TOOLS = conversation()
            .addSystem("You may call tools.")
            .addMessage(Message.user(QUESTION))
            .addTool(WEATHER)
            .addTool(SEARCH)
            .build();

    /** The question, the mock's call of get_weather, and the client's result of it. */
    static final ChatRequest ANSWERS_THE_CALL = ASKS_WITH_TOOLS.toBuilder()
            .addMessage(Message.of(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("call_mock_1", "get_weather",
                    "{\"city\":\"What is the weather in Paris?\",\"unit\":\"What is the weather in Paris?\"}"))))
            .addMessage(Message.of(Role.USER, List.of(ContentBlock.ToolResult.text("call_mock_1", "  Sunny, 21 C\n"))))
            .build();

    @Test
    void offeredToolIsCalledWithTheSchemasRequiredKeysSetToTheLastUserText() {
        ChatResponse r = chat(adapter(Map.of()), ASKS_WITH_TOOLS);

        assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(r.id()).isEqualTo("mock-1");
        ContentBlock.ToolUse call = (ContentBlock.ToolUse) r.content().getFirst();
        assertThat(r.content()).hasSize(1);
        assertThat(call.id()).isEqualTo("call_mock_1");
        assertThat(call.name()).isEqualTo("get_weather");
        JsonNode arguments = json(call.arguments());
        assertThat(arguments.isObject()).isTrue();
        assertThat(arguments.properties()).extracting(Map.Entry::getKey).containsExactly("city", "unit");
        assertThat(arguments.path("city").asText()).isEqualTo(QUESTION);
        assertThat(arguments.path("unit").asText()).isEqualTo(QUESTION);
    }

    @Test
    void aToolCallsOutputTokensAreTheWordsOfItsArguments() {
        ChatResponse r = chat(adapter(Map.of()), ASKS_WITH_TOOLS);

        String arguments = toolUses(r).getFirst().arguments();
        assertThat(r.usage()).contains(Usage.of(4 + 6 + 3 * 2, words(arguments)));
        assertThat(words(arguments)).isEqualTo(11);
    }

    @Test
    void streamedToolCallReassemblesToTheNonStreamCall() {
        ProviderAdapter adapter = adapter(Map.of());
        ChatResponse whole = chat(adapter, ASKS_WITH_TOOLS);

        RecordingStreamSink sink = stream(adapter, ASKS_WITH_TOOLS);

        List<StreamEvent> events = sink.events();
        List<String> pieces = new ArrayList<>();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.ToolArgumentsDelta d) {
                assertThat(d.index()).isZero();
                pieces.add(d.json());
            }
        }
        assertThat(events.get(0)).isInstanceOfSatisfying(StreamEvent.MessageStart.class, m -> {
            assertThat(m.id()).isEqualTo("mock-2");
            assertThat(m.model()).isEqualTo(MockFixture.UPSTREAM_MODEL);
            assertThat(m.usage().outputTokens()).isZero();
            assertThat(m.usage().inputTokens())
                    .isEqualTo(((StreamEvent.MessageEnd) events.get(events.size() - 1)).usage().inputTokens());
        });
        assertThat(events.get(1)).isEqualTo(new StreamEvent.BlockStart(0, new ContentBlock.ToolUse("call_mock_2", "get_weather", "")));
        assertThat(pieces).hasSize(3);
        assertThat(events).hasSize(2 + 3 + 2).noneMatch(StreamEvent.TextDelta.class::isInstance);
        assertThat(String.join("", pieces)).isEqualTo(toolUses(whole).getFirst().arguments());
        assertThat(sink.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("get_weather");
            assertThat(c.arguments()).isEqualTo(toolUses(whole).getFirst().arguments());
        });
        assertThat(events.getLast()).isEqualTo(new StreamEvent.MessageEnd(StopReason.TOOL_USE, null, whole.usage().orElseThrow()));
        assertThat(sink.completed()).isTrue();
    }

    @Test
    void toolChoiceNamesTheToolToCall() {
        ChatResponse r = chat(adapter(Map.of()), ASKS_WITH_TOOLS.toBuilder().toolChoice(ToolChoice.tool("search")).build());

        ContentBlock.ToolUse call = toolUses(r).getFirst();
        assertThat(call.name()).isEqualTo("search");
        assertThat(json(call.arguments()).properties()).extracting(Map.Entry::getKey).containsExactly("query");
        assertThat(json(call.arguments()).path("query").asText()).isEqualTo(QUESTION);
    }

    @Test
    void autoAndRequiredToolChoiceCallTheFirstTool() {
        ProviderAdapter adapter = adapter(Map.of());
        for (ToolChoice choice : List.of(ToolChoice.AUTO, ToolChoice.REQUIRED)) {
            ChatResponse r = chat(adapter, ASKS_WITH_TOOLS.toBuilder().toolChoice(choice).build());

            assertThat(toolUses(r)).extracting(ContentBlock.ToolUse::name).as("%s", choice).containsExactly("get_weather");
        }
    }

    @Test
    void toolChoiceNoneAnswersWithTheTextTheSameMessagesGetWithoutTools() {
        ProviderAdapter adapter = adapter(Map.of());
        ChatResponse withoutTools = chat(adapter, ASKS_WITH_TOOLS.toBuilder().tools(List.of()).build());

        ChatResponse none = chat(adapter, ASKS_WITH_TOOLS.toBuilder().toolChoice(ToolChoice.NONE).build());
        RecordingStreamSink streamed = stream(adapter, ASKS_WITH_TOOLS.toBuilder().toolChoice(ToolChoice.NONE).build());

        assertThat(toolUses(none)).isEmpty();
        assertThat(none.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(none.text()).isNotBlank().isEqualTo(withoutTools.text());
        assertThat(streamed.toolCalls()).isEmpty();
        assertThat(streamed.text()).isEqualTo(none.text());
    }

    @Test
    void aToolResultTurnIsAnsweredWithTextQuotingTheResult() {
        ChatResponse r = chat(adapter(Map.of()), ANSWERS_THE_CALL);

        assertThat(r.content()).singleElement().isInstanceOf(ContentBlock.Text.class);
        assertThat(r.text()).isEqualTo("The tool returned: Sunny, 21 C");
        assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(r.usage()).contains(Usage.of(4 + 6 + 3 + 3 * 4, 6));
    }

    @Test
    void aStreamedToolResultTurnIsTheSameTextInWords() {
        RecordingStreamSink sink = stream(adapter(Map.of()), ANSWERS_THE_CALL);

        assertThat(sink.text()).isEqualTo("The tool returned: Sunny, 21 C");
        assertThat(sink.events().get(1)).isEqualTo(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
        assertThat(sink.events().stream().filter(StreamEvent.TextDelta.class::isInstance)).hasSize(6);
        assertThat(sink.toolCalls()).isEmpty();
    }

    @Test
    void anEmptyToolResultIsQuotedAsNothing() {
        ChatRequest empty = ASKS_WITH_TOOLS.toBuilder()
                .addMessage(Message.of(Role.USER, List.of(ContentBlock.ToolResult.text("call_mock_1", " "))))
                .build();

        assertThat(chat(adapter(Map.of()), empty).text()).isEqualTo("The tool returned: nothing");
    }

    @Test
    void aNewUserTurnAfterTheToolResultCallsTheToolAgainWithTheNewText() {
        ChatRequest followUp = ANSWERS_THE_CALL.toBuilder()
                .addMessage(Message.assistant("The tool returned: Sunny, 21 C"))
                .addMessage(Message.user("And in Rome?"))
                .build();

        ContentBlock.ToolUse call = toolUses(chat(adapter(Map.of()), followUp)).getFirst();

        assertThat(json(call.arguments()).path("city").asText()).isEqualTo("And in Rome?");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Say \"hi\" \\ to Zoë\n🙂", "{\"city\": \"Paris\"}", "\u0001 tab\there"})
    void argumentsAreAJsonObjectWhateverTheUserWrote(String text) {
        ContentBlock.ToolUse call = toolUses(chat(adapter(Map.of()), conversation().addMessage(Message.user(text))
                .addTool(SEARCH).build())).getFirst();

        assertThat(json(call.arguments()).path("query").asText()).isEqualTo(text.trim());
    }

    @Test
    void aBlankLastUserTextIsReplacedByMock() {
        ChatRequest blank = conversation().addMessage(Message.user("   ")).addTool(SEARCH).build();

        assertThat(toolUses(chat(adapter(Map.of()), blank)).getFirst().arguments()).isEqualTo("{\"query\":\"mock\"}");
    }

    @Test
    void aSchemaWithoutRequiredKeysGetsItsFirstPropertyAndOneWithoutPropertiesNoArguments() {
        Tool optional = Tool.of("lookup", null, RawJson.of("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"},\"r\":{}}}"));
        Tool noSchema = Tool.of("ping", null, null);
        Tool emptySchema = Tool.of("ping", null, RawJson.of("{\"type\":\"object\"}"));
        ProviderAdapter adapter = adapter(Map.of());

        assertThat(toolUses(chat(adapter, conversation().addMessage(Message.user("x y")).addTool(optional).build()))
                .getFirst().arguments()).isEqualTo("{\"q\":\"x y\"}");
        assertThat(toolUses(chat(adapter, conversation().addMessage(Message.user("x")).addTool(noSchema).build()))
                .getFirst().arguments()).isEqualTo("{}");
        assertThat(toolUses(chat(adapter, conversation().addMessage(Message.user("x")).addTool(emptySchema).build()))
                .getFirst().arguments()).isEqualTo("{}");
    }

    @Test
    void maxTokensDoesNotCutAToolCall() {
        ChatResponse r = chat(adapter(Map.of()), ASKS_WITH_TOOLS.toBuilder().maxTokens(1).build());

        assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(json(toolUses(r).getFirst().arguments()).path("unit").asText()).isEqualTo(QUESTION);
    }

    @Test
    void failAfterTokensCutsAStreamedToolCallAfterThatManyPieces() {
        RecordingStreamSink sink = stream(adapter(Map.of("fail_after_tokens", 1)), ASKS_WITH_TOOLS);

        assertThat(sink.events()).hasSize(3).last().isInstanceOf(StreamEvent.ToolArgumentsDelta.class);
        assertThat(sink.error().status()).isEqualTo(502);
        assertThat(sink.completed()).isFalse();
    }
}
