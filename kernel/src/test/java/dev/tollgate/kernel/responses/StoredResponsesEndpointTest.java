package dev.tollgate.kernel.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.SseEvents;
import dev.tollgate.kernel.SseEvents.Sse;
import dev.tollgate.kernel.governance.GovernedGateway;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.Role;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stored OpenAI Responses through the whole kernel on the embedded store: store, continue, GET, DELETE, tenants, expiry, bounds. */
class StoredResponsesEndpointTest {

    private static final String MODELS = """
            plugins: [recording]
            models:
              m:
                deployments:
                  - provider: recording
                    model: up-m
            """;
    private static final String MASTER = "admin: {master_key: '${env:TG_TEST_MASTER}'}\n";

    private final RecordingProviderPlugin provider = new RecordingProviderPlugin();

    private GovernedGateway start(String extraYaml) {
        return GovernedGateway.startWith(MODELS + extraYaml, Map.<String, TollgatePlugin>of("recording", provider));
    }

    private static HttpResponse<String> post(GovernedGateway gw, String key, String body) {
        return key == null ? gw.send("POST", "/v1/responses", body) : gw.send("POST", "/v1/responses", body, "Authorization", "Bearer " + key);
    }

    private static HttpResponse<String> call(GovernedGateway gw, String method, String key, String path) {
        return key == null ? gw.send(method, path, null) : gw.send(method, path, null, "Authorization", "Bearer " + key);
    }

    static List<Sse> events(String body) {
        return SseEvents.of(body);
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return GovernedGateway.json(r.body());
    }

    private static String teamId(GovernedGateway gw, String name) {
        HttpResponse<String> r = gw.admin("POST", "/admin/teams", "{\"name\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return GovernedGateway.json(r.body()).get("id").asText();
    }

    private static String key(GovernedGateway gw, String name, String teamId) {
        return gw.createKey("{\"name\":\"" + name + "\"" + (teamId == null ? "" : ",\"team_id\":\"" + teamId + "\"") + "}").get("key")
                .asText();
    }

    private static void assertNotFound(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(GovernedGateway.json(r.body()).at("/error/code").asText()).isEqualTo("not_found");
    }

    private static void assertBadPrevious(HttpResponse<String> r, String contains) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = GovernedGateway.json(r.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asText()).isEqualTo("previous_response_id");
        assertThat(error.get("message").asText()).contains(contains);
    }

    @Test
    void aStoredResponseSaysStoreTrueAndGetReturnsTheSameObject() {
        try (GovernedGateway gw = start("")) {
            HttpResponse<String> created = post(gw, null, "{\"model\":\"m\",\"input\":\"hello\"}");
            JsonNode answer = ok(created);
            assertThat(answer.get("store").asBoolean()).isTrue();
            String id = answer.get("id").asText();
            assertThat(id).startsWith("resp_").isNotEqualTo("resp_same-id");

            HttpResponse<String> got = call(gw, "GET", null, "/v1/responses/" + id);
            assertThat(ok(got)).isEqualTo(answer);
            assertThat(got.body()).isEqualTo(created.body());
            assertThat(ok(call(gw, "GET", null, "/responses/" + id))).isEqualTo(answer);
        }
    }

    @Test
    void twoStoredAnswersOfOneProviderIdGetTwoIds() {
        try (GovernedGateway gw = start("")) {
            String a = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"one\"}")).get("id").asText();
            String b = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"one\"}")).get("id").asText();
            assertThat(a).isNotEqualTo(b);
            assertThat(ok(call(gw, "GET", null, "/v1/responses/" + b)).get("id").asText()).isEqualTo(b);
        }
    }

    @Test
    void storeFalseKeepsNothing() {
        try (GovernedGateway gw = start("")) {
            JsonNode answer = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"hello\",\"store\":false,\"instructions\":\"Be kind.\"}"));
            assertThat(answer.get("store").asBoolean()).isFalse();
            assertThat(answer.get("instructions").asText()).as("a stateless answer repeats its request too").isEqualTo("Be kind.");
            assertNotFound(call(gw, "GET", null, "/v1/responses/" + answer.get("id").asText()));
            assertBadPrevious(post(gw, null, "{\"model\":\"m\",\"input\":\"more\",\"previous_response_id\":\"" + answer.get("id").asText()
                    + "\"}"), "not found");
        }
    }

    @Test
    void aStreamedResponseIsStoredAtCompletion() throws Exception {
        try (GovernedGateway gw = start("")) {
            HttpResponse<String> r = post(gw, null, "{\"model\":\"m\",\"input\":\"hello\",\"stream\":true,\"temperature\":0.3}");
            assertThat(r.statusCode()).isEqualTo(200);
            List<Sse> events = events(r.body());
            JsonNode completed = events.getLast().data().get("response");
            assertThat(events.getLast().name()).isEqualTo("response.completed");
            assertThat(completed.get("store").asBoolean()).isTrue();
            assertThat(events.getFirst().data().at("/response/id").asText()).isEqualTo(completed.get("id").asText());
            JsonNode got = ok(call(gw, "GET", null, "/v1/responses/" + completed.get("id").asText()));
            assertThat(got).isEqualTo(completed);
            assertThat(got.at("/output/0/content/0/text").asText()).isEqualTo("streamed 1");
            assertThat(got.get("temperature").asDouble()).as("stored as the client got it, request fields included").isEqualTo(0.3);
        }
    }

    @Test
    void deleteAnswersOpenAisShapeOnceAndTheResponseIsGone() {
        try (GovernedGateway gw = start("")) {
            String id = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"hello\"}")).get("id").asText();
            JsonNode deleted = ok(call(gw, "DELETE", null, "/v1/responses/" + id));
            assertThat(deleted).isEqualTo(GovernedGateway.json("{\"id\":\"" + id + "\",\"object\":\"response\",\"deleted\":true}"));
            assertNotFound(call(gw, "GET", null, "/v1/responses/" + id));
            assertNotFound(call(gw, "DELETE", null, "/v1/responses/" + id));
            assertNotFound(call(gw, "GET", null, "/v1/responses/resp_never"));
            HttpResponse<String> put = call(gw, "PUT", null, "/v1/responses/" + id);
            assertThat(put.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void continuingSendsTheWholeConversationButNotTheOldInstructions() {
        try (GovernedGateway gw = start("")) {
            JsonNode first = ok(post(gw, null, "{\"model\":\"m\",\"instructions\":\"Be terse.\",\"input\":\"hello\"}"));
            JsonNode second = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"and then?\",\"previous_response_id\":\""
                    + first.get("id").asText() + "\"}"));
            assertThat(second.get("previous_response_id").asText()).isEqualTo(first.get("id").asText());
            assertThat(second.at("/output/0/content/0/text").asText()).isEqualTo("answer 3");
            assertThat(first.get("instructions").asText()).isEqualTo("Be terse.");
            assertThat(second.get("instructions").isNull()).as("a turn repeats its own request's fields only").isTrue();

            ChatRequest sent = provider.requests.getLast();
            assertThat(sent.system()).isEmpty();
            assertThat(sent.messages()).containsExactly(Message.user("hello"), Message.of(Role.ASSISTANT, List.of(ContentBlock.Text.of("answer 1"))),
                    Message.user("and then?"));
            JsonNode third = ok(post(gw, null, "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"last\"}],"
                    + "\"previous_response_id\":\"" + second.get("id").asText() + "\"}"));
            assertThat(third.at("/output/0/content/0/text").asText()).isEqualTo("answer 5");
        }
    }

    @Test
    void aFunctionCallRoundTripBecomesToolUseThenToolResult() {
        try (GovernedGateway gw = start("")) {
            String tools = "\"tools\":[{\"type\":\"function\",\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}]";
            JsonNode first = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"the weather in Paris?\"," + tools + "}"));
            JsonNode call = first.at("/output/0");
            assertThat(call.get("type").asText()).isEqualTo("function_call");
            JsonNode second = ok(post(gw, null, "{\"model\":\"m\"," + tools + ",\"previous_response_id\":\"" + first.get("id").asText()
                    + "\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"" + call.get("call_id").asText()
                    + "\",\"output\":\"22 C\"}]}"));
            assertThat(second.at("/output/0/content/0/text").asText()).isEqualTo("answer 3");

            List<Message> sent = provider.requests.getLast().messages();
            assertThat(sent).hasSize(3);
            assertThat(sent.get(0)).isEqualTo(Message.user("the weather in Paris?"));
            assertThat(sent.get(1).role()).isEqualTo(Role.ASSISTANT);
            assertThat(sent.get(1).content()).containsExactly(new ContentBlock.ToolUse("call_1", "weather", "{\"city\":\"Paris\"}"));
            assertThat(sent.get(2).role()).isEqualTo(Role.USER);
            assertThat(sent.get(2).content()).containsExactly(ContentBlock.ToolResult.text("call_1", "22 C"));
        }
    }

    @Test
    void anItemReferenceIsReplacedByTheStoredItemItNames() {
        try (GovernedGateway gw = start(MASTER)) {
            String alice = key(gw, "alice", null);
            String bob = key(gw, "bob", null);
            JsonNode first = ok(post(gw, alice, "{\"model\":\"m\",\"input\":\"hello\"}"));
            String itemId = first.at("/output/0/id").asText();
            String body = "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"hello\"},"
                    + "{\"type\":\"item_reference\",\"id\":\"" + itemId + "\"},{\"role\":\"user\",\"content\":\"more\"}]}";
            JsonNode second = ok(post(gw, alice, body));
            assertThat(second.at("/output/0/content/0/text").asText()).isEqualTo("answer 3");
            assertThat(provider.requests.getLast().messages()).containsExactly(Message.user("hello"),
                    Message.of(Role.ASSISTANT, List.of(ContentBlock.Text.of("answer 1"))), Message.user("more"));

            // the stored turn holds the item itself, so continuing replays it without the reference
            ok(post(gw, alice, "{\"model\":\"m\",\"input\":\"again\",\"previous_response_id\":\"" + second.get("id").asText() + "\"}"));
            assertThat(provider.requests.getLast().messages()).hasSize(5);

            HttpResponse<String> notBobs = post(gw, bob, body);
            assertThat(notBobs.statusCode()).as(notBobs.body()).isEqualTo(400);
            assertThat(GovernedGateway.json(notBobs.body()).at("/error/param").asText()).isEqualTo("input[1]");
            assertThat(GovernedGateway.json(notBobs.body()).at("/error/message").asText()).contains("not found");
            HttpResponse<String> bogus = post(gw, alice, "{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"nope\"}]}");
            assertThat(bogus.statusCode()).isEqualTo(400);
            assertThat(GovernedGateway.json(bogus.body()).at("/error/param").asText()).isEqualTo("input[0]");
        }
    }

    @Test
    void inputItemsListTheTurnsOwnInputNewestFirst() {
        try (GovernedGateway gw = start("")) {
            String first = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"one\"}")).get("id").asText();
            String second = ok(post(gw, null, "{\"model\":\"m\",\"previous_response_id\":\"" + first + "\",\"input\":[{\"role\":\"user\","
                    + "\"content\":\"two\"},{\"role\":\"user\",\"content\":\"three\"}]}")).get("id").asText();
            JsonNode list = ok(call(gw, "GET", null, "/v1/responses/" + second + "/input_items"));
            assertThat(list.get("object").asText()).isEqualTo("list");
            assertThat(list.get("data")).hasSize(2);
            assertThat(list.at("/data/0/content/0/text").asText()).isEqualTo("three");
            assertThat(list.at("/data/0/content/0/type").asText()).isEqualTo("input_text");
            assertThat(list.at("/data/0/type").asText()).isEqualTo("message");
            assertThat(list.at("/data/1/content/0/text").asText()).isEqualTo("two");
            assertThat(list.get("first_id").asText()).isEqualTo(list.at("/data/0/id").asText());
            assertThat(list.get("has_more").asBoolean()).isFalse();
            JsonNode page = ok(call(gw, "GET", null, "/v1/responses/" + second + "/input_items?order=asc&limit=1"));
            assertThat(page.at("/data/0/content/0/text").asText()).isEqualTo("two");
            assertThat(page.get("has_more").asBoolean()).isTrue();
        }
    }

    @Test
    void anotherKeyGets404AndCannotContinueButTheOwnerCan() {
        try (GovernedGateway gw = start(MASTER)) {
            String alice = key(gw, "alice", null);
            String bob = key(gw, "bob", null);
            String id = ok(post(gw, alice, "{\"model\":\"m\",\"input\":\"secret\"}")).get("id").asText();

            assertNotFound(call(gw, "GET", bob, "/v1/responses/" + id));
            assertNotFound(call(gw, "DELETE", bob, "/v1/responses/" + id));
            assertNotFound(call(gw, "GET", bob, "/v1/responses/" + id + "/input_items"));
            // exactly as a response that does not exist: nothing tells bob it does
            assertBadPrevious(post(gw, bob, "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"" + id + "\"}"), "not found");
            assertThat(call(gw, "GET", null, "/v1/responses/" + id).statusCode()).isEqualTo(401);

            ok(call(gw, "GET", alice, "/v1/responses/" + id));
            ok(post(gw, alice, "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"" + id + "\"}"));
        }
    }

    @Test
    void withTeamVisibilityTheTeamSharesAndOtherTeamsDoNot() {
        try (GovernedGateway gw = start(MASTER + "responses: {visibility: team}\n")) {
            String red = teamId(gw, "red");
            String blue = teamId(gw, "blue");
            String a = key(gw, "a", red);
            String b = key(gw, "b", red);
            String c = key(gw, "c", blue);
            String id = ok(post(gw, a, "{\"model\":\"m\",\"input\":\"team work\"}")).get("id").asText();

            ok(call(gw, "GET", b, "/v1/responses/" + id));
            ok(post(gw, b, "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"" + id + "\"}"));
            assertNotFound(call(gw, "GET", c, "/v1/responses/" + id));
        }
    }

    @Test
    void byDefaultATeamMateIsAnotherTenant() {
        try (GovernedGateway gw = start(MASTER)) {
            String red = teamId(gw, "red");
            String a = key(gw, "a", red);
            String b = key(gw, "b", red);
            String id = ok(post(gw, a, "{\"model\":\"m\",\"input\":\"mine\"}")).get("id").asText();
            assertNotFound(call(gw, "GET", b, "/v1/responses/" + id));
        }
    }

    @Test
    void anExpiredResponseIsNotFoundAtOnceOnTheKernelsClock() {
        try (GovernedGateway gw = start("responses: {retention: 2h}\n")) {
            String id = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"hello\"}")).get("id").asText();
            gw.time.advance(Duration.ofMinutes(119));
            ok(call(gw, "GET", null, "/v1/responses/" + id));
            gw.time.advance(Duration.ofMinutes(1));
            assertNotFound(call(gw, "GET", null, "/v1/responses/" + id));
            assertBadPrevious(post(gw, null, "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"" + id + "\"}"), "not found");
        }
    }

    @Test
    void theChainIsBoundedByMaxChain() {
        try (GovernedGateway gw = start("responses: {max_chain: 2}\n")) {
            String one = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"1\"}")).get("id").asText();
            String two = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"2\",\"previous_response_id\":\"" + one + "\"}")).get("id").asText();
            assertBadPrevious(post(gw, null, "{\"model\":\"m\",\"input\":\"3\",\"previous_response_id\":\"" + two + "\"}"),
                    "responses.max_chain");
        }
    }

    @Test
    void aConversationIsBoundedLikeARequestBody() {
        try (GovernedGateway gw = start("server: {max_request_bytes: 2KiB}\n")) {
            String words = "w".repeat(600);
            String previous = null;
            int turn = 0;
            HttpResponse<String> r;
            do {
                turn++;
                r = post(gw, null, "{\"model\":\"m\",\"input\":\"" + words + "\""
                        + (previous == null ? "" : ",\"previous_response_id\":\"" + previous + "\"") + "}");
                if (r.statusCode() == 200) {
                    previous = GovernedGateway.json(r.body()).get("id").asText();
                }
            } while (r.statusCode() == 200 && turn < 6);
            assertThat(turn).as("turns until the conversation outgrew a request body").isBetween(2, 5);
            assertBadPrevious(r, "server.max_request_bytes");
        }
    }

    @Test
    void aStoredTurnIsBoundedByMaxTurnBytes() {
        try (GovernedGateway gw = start("responses: {max_turn_bytes: 1024}\n")) {
            String big = "x".repeat(2000);
            HttpResponse<String> r = post(gw, null, "{\"model\":\"m\",\"input\":\"" + big + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(GovernedGateway.json(r.body()).at("/error/param").asText()).isEqualTo("input");
            assertThat(GovernedGateway.json(r.body()).at("/error/message").asText()).contains("responses.max_turn_bytes");
            ok(post(gw, null, "{\"model\":\"m\",\"input\":\"" + big + "\",\"store\":false}"));
        }
    }

    @Test
    void aMissingPreviousResponseIsA400NamingTheField() {
        try (GovernedGateway gw = start("")) {
            assertBadPrevious(post(gw, null, "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_nope\"}"),
                    "Previous response with id 'resp_nope' not found.");
            HttpResponse<String> wrongType = post(gw, null, "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":7}");
            assertThat(wrongType.statusCode()).isEqualTo(400);
            assertThat(GovernedGateway.json(wrongType.body()).at("/error/param").asText()).isEqualTo("previous_response_id");
        }
    }

    @Test
    void withStoreOffNothingIsStoredAndPreviousResponseIdIsRefusedNamingTheSetting() {
        try (GovernedGateway gw = start("responses: {store: off}\n")) {
            JsonNode answer = ok(post(gw, null, "{\"model\":\"m\",\"input\":\"hello\",\"store\":true}"));
            assertThat(answer.get("store").asBoolean()).isFalse();
            assertNotFound(call(gw, "GET", null, "/v1/responses/" + answer.get("id").asText()));
            assertBadPrevious(post(gw, null, "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}"), "responses.store: off");
        }
    }
}
