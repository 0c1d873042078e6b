package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.it.TestGateway;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Embeddings through provider-openai: the body goes up with only the model rewritten and comes back as the upstream sent it. */
class EmbeddingsTest {

    private static final String UPSTREAM_MODEL = "text-embedding-upstream";
    private static final String UPSTREAM_RESPONSE = """
            {"object":"list","data":[\
            {"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,0.015797347]},\
            {"object":"embedding","index":1,"embedding":[-0.012345678,0.1,1.0E-7]}],\
            "model":"text-embedding-upstream","usage":{"prompt_tokens":5,"total_tokens":5}}""";

    private static WireMockUpstream upstream;
    private static WireMockServer wireMock;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = WireMockUpstream.start("embed-test", UPSTREAM_MODEL);
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
        wireMock.stubFor(post(urlEqualTo("/v1/embeddings"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(UPSTREAM_RESPONSE)));
    }

    @Test
    void requestPassesThroughWithTheModelRewrittenAndTheAnswerComesBackUnchanged() {
        String clientBody = """
                {"input":["first text","second text"],"model":"embed-test","encoding_format":"float",\
                "dimensions":3,"user":"user-42","extra_vendor_field":{"nested":[1,2.50,"x"]}}""";

        HttpResponse<String> r = Upstreams.send(gateway, "/v1/embeddings", clientBody);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).isPresent();
        assertThat(r.body()).as("the upstream's answer, byte for byte").isEqualTo(UPSTREAM_RESPONSE);
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/embeddings"))
                .withHeader("Authorization", equalTo("Bearer " + Upstreams.KEY))
                .withRequestBody(equalToJson("""
                        {"input":["first text","second text"],"model":"text-embedding-upstream","encoding_format":"float",
                         "dimensions":3,"user":"user-42","extra_vendor_field":{"nested":[1,2.50,"x"]}}""")));
        assertThat(wireMock.getAllServeEvents().get(0).getRequest().getBodyAsString())
                .as("number literals are kept as written").contains("2.50");
    }

    @Test
    void upstreamRejectionOfAnEmbeddingsRequestKeepsItsStatusAndMessage() {
        wireMock.stubFor(post(urlEqualTo("/v1/embeddings")).atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.openAiError("This model's maximum context length is 8192 tokens.",
                                "invalid_request_error", "input", "context_length_exceeded"))));

        HttpResponse<String> r = Upstreams.send(gateway, "/v1/embeddings", "{\"model\":\"embed-test\",\"input\":\"x\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        var error = Upstreams.assertOpenAiError(r.body());
        assertThat(error.path("message").asText()).isEqualTo("This model's maximum context length is 8192 tokens.");
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.path("param").asText()).isEqualTo("input");
    }
}
