package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.it.TestGateway;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token usage of streams: the gateway always asks the upstream for the usage chunk (so it can
 * account), rewrites the model to the deployment's, keeps the client's other stream options, and
 * passes the usage chunk on only to a client that asked for it.
 */
class UsageTest {

    private static final String UPSTREAM_MODEL = "upstream-model";

    private static WireMockUpstream upstream;
    private static WireMockServer wireMock;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = WireMockUpstream.start("gpt-test", UPSTREAM_MODEL);
        wireMock = upstream.wireMock;
        gateway = upstream.gateway;
    }

    @AfterAll
    static void stop() {
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void stub() {
        wireMock.resetAll();
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(Upstreams.sseBody(UPSTREAM_MODEL, "Hello", " world"))));
    }

    private static List<String> stream(String streamOptions) {
        HttpResponse<String> r = Upstreams.send(gateway, "/v1/chat/completions",
                Upstreams.chatBody("gpt-test", true, streamOptions));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> events = Upstreams.sseData(r.body());
        assertThat(events).last().isEqualTo("[DONE]");
        return events.subList(0, events.size() - 1);
    }

    private static String text(List<String> events) {
        StringBuilder b = new StringBuilder();
        events.stream().map(Upstreams::parse).forEach(c -> b.append(Upstreams.deltaContent(c)));
        return b.toString();
    }

    @Test
    void upstreamIsAskedForUsageAndGetsTheDeploymentModelWhenTheClientDidNotAsk() {
        stream(null);
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.model", equalTo(UPSTREAM_MODEL)))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo("hi there")))
                .withRequestBody(matchingJsonPath("$.temperature", equalTo("0.5"))));
    }

    @Test
    void usageChunkDoesNotReachAClientThatDidNotAsk() {
        List<String> events = stream(null);
        assertThat(events).extracting(Upstreams::parse).noneMatch(Upstreams::isUsageChunk);
        assertThat(events).noneMatch(e -> e.contains("\"usage\""));
        assertThat(text(events)).isEqualTo("Hello world");
    }

    @Test
    void usageChunkReachesAClientThatAsked() {
        List<String> events = stream("{\"include_usage\":true}");
        List<JsonNode> usage = events.stream().map(Upstreams::parse).filter(Upstreams::isUsageChunk).toList();
        assertThat(usage).hasSize(1);
        assertThat(usage.get(0).path("usage").path("prompt_tokens").asInt()).isEqualTo(9);
        assertThat(usage.get(0).path("usage").path("completion_tokens").asInt()).isEqualTo(2);
        assertThat(Upstreams.isUsageChunk(Upstreams.parse(events.get(events.size() - 1))))
                .as("the usage chunk is the last before [DONE]").isTrue();
        assertThat(text(events)).isEqualTo("Hello world");
    }

    @Test
    void clientStreamOptionsKeepTheirOtherFieldsUpstream() {
        List<String> events = stream("{\"include_usage\":false,\"include_obfuscation\":false}");
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.stream_options.include_obfuscation", equalTo("false")))
                .withRequestBody(matchingJsonPath("$.model", equalTo(UPSTREAM_MODEL))));
        assertThat(events).extracting(Upstreams::parse).noneMatch(Upstreams::isUsageChunk);
        assertThat(text(events)).isEqualTo("Hello world");
    }

    @Test
    void nonStreamedRequestGetsNoStreamOptionsUpstream() {
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(notContaining("\"stream\""))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.completion(UPSTREAM_MODEL, "plain"))));
        HttpResponse<String> r = Upstreams.chat(gateway, "gpt-test", false);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Upstreams.parse(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(3);
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(notContaining("stream_options"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(UPSTREAM_MODEL))));
    }
}
