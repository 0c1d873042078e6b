package dev.tollgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MockSmokeTest {

    @Test
    void answersAChatCompletionFromTheMockPluginLoadedByPf4j() throws Exception {
        try (TestGateway g = TestGateway.start("""
                plugins: [provider-mock]
                models:
                  mock:
                    deployments:
                      - provider: mock
                        model: mock-1
                """)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(g.uri("/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"object\":\"chat.completion\"").contains("\"model\":\"mock\"");
            assertThat(r.headers().firstValue("x-request-id")).isPresent();
        }
    }
}
