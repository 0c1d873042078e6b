package dev.tollgate.it.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.it.RunningGateway;
import dev.tollgate.it.dist.ProcessGateway;
import dev.tollgate.plugin.postgres.PostgresServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes sharing one PostgreSQL store (store-postgres): a response created through A
 * is continued and read through B, which sends the provider the whole conversation; another
 * virtual key gets 404 for it on B; the response lives in PostgreSQL, not in either data directory.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StoredResponsesOnTwoInstancesTest {

    private static final String MASTER = "stored-responses-pg-master-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PostgresServer postgres;

    @TempDir
    Path dataA;

    @TempDir
    Path dataB;

    @BeforeAll
    static void server() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static RunningGateway instance(Path data, String database) {
        String yaml = """
                plugins: [provider-mock, store-postgres]
                admin: {master_key: '${env:TG_MASTER}'}
                governance:
                  data_dir: '${env:TG_DATA}'
                  store:
                    backend: postgres
                    config: {url: '${env:TG_PG_URL}', user: tollgate, password: '${env:TG_PG_PASSWORD}', pool_size: 4}
                models:
                  mock:
                    deployments:
                      - provider: mock
                        model: mock-1
                        config: {ttft: 0ms, tokens_per_second: 0}
                """;
        return ProcessGateway.start(data.resolveSibling(data.getFileName() + "-run"), yaml, Map.of("TG_MASTER", MASTER,
                "TG_PG_URL", database, "TG_PG_PASSWORD", PostgresServer.PASSWORD, "TG_DATA", data.toString()));
    }

    private static HttpResponse<String> send(RunningGateway g, String method, String path, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(g.uri(path)).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return GovernanceHttp.send(b);
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String newKey(RunningGateway g, String name) throws Exception {
        HttpResponse<String> r = GovernanceHttp.admin(g, MASTER, "POST", "/admin/keys", "{\"name\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("key").asText();
    }

    @Test
    void aResponseCreatedOnOneInstanceIsContinuedOnTheOtherAndHiddenFromAnotherKey() throws Exception {
        String database = postgres.newDatabase();
        try (RunningGateway a = instance(dataA, database)) {
            String owner = newKey(a, "owner");
            String stranger = newKey(a, "stranger");
            JsonNode first = ok(send(a, "POST", "/v1/responses", "{\"model\":\"mock\",\"input\":\"remember the word tangerine\"}", owner));
            assertThat(first.get("store").asBoolean()).isTrue();
            String id = first.get("id").asText();

            // B starts after the keys exist, so it loads them from the shared store
            try (RunningGateway b = instance(dataB, database)) {
                JsonNode onB = ok(send(b, "GET", "/v1/responses/" + id, null, owner));
                assertThat(onB).isEqualTo(first);

                JsonNode second = ok(send(b, "POST", "/v1/responses", "{\"model\":\"mock\",\"previous_response_id\":\"" + id
                        + "\",\"input\":\"which word?\"}", owner));
                assertThat(second.get("previous_response_id").asText()).isEqualTo(id);
                // provider-mock counts the conversation it was sent: 3 messages (user, assistant, user) in its usage
                assertThat(second.at("/usage/input_tokens").asLong()).isGreaterThan(first.at("/usage/input_tokens").asLong());

                HttpResponse<String> hidden = send(b, "GET", "/v1/responses/" + id, null, stranger);
                assertThat(hidden.statusCode()).as(hidden.body()).isEqualTo(404);
                assertThat(JSON.readTree(hidden.body()).at("/error/code").asText()).isEqualTo("not_found");
                HttpResponse<String> notTheirs = send(b, "POST", "/v1/responses", "{\"model\":\"mock\",\"previous_response_id\":\"" + id
                        + "\",\"input\":\"x\"}", stranger);
                assertThat(notTheirs.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(notTheirs.body()).at("/error/param").asText()).isEqualTo("previous_response_id");
                assertThat(send(b, "DELETE", "/v1/responses/" + id, null, stranger).statusCode()).isEqualTo(404);

                ok(send(a, "GET", "/v1/responses/" + second.get("id").asText(), null, owner));
                ok(send(a, "DELETE", "/v1/responses/" + id, null, owner));
                assertThat(send(b, "GET", "/v1/responses/" + id, null, owner).statusCode()).isEqualTo(404);
            }
        }
        try (Connection c = DriverManager.getConnection(database, PostgresServer.USER, PostgresServer.PASSWORD);
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM tollgate_response")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the continuation is in PostgreSQL").isEqualTo(1);
        }
        assertThat(dataA.resolve("governance.db")).doesNotExist();
        assertThat(dataB.resolve("governance.db")).doesNotExist();
    }
}
