package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.it.TestGateway;
import java.util.Map;

/**
 * WireMock on a free loopback port as the upstream of a gateway in which {@code model} is served by
 * provider-openai (upstream model {@code upstreamModel}, key {@link Upstreams#KEY}, 2 s read timeout).
 * {@code prefixYaml} holds anything the configuration needs before that model (other plugins and models).
 */
final class WireMockUpstream implements AutoCloseable {

    final WireMockServer wireMock;
    final TestGateway gateway;

    private WireMockUpstream(WireMockServer wireMock, TestGateway gateway) {
        this.wireMock = wireMock;
        this.gateway = gateway;
    }

    static WireMockUpstream start(String model, String upstreamModel) {
        return start("plugins: [provider-openai]\nmodels:\n", model, upstreamModel);
    }

    static WireMockUpstream start(String prefixYaml, String model, String upstreamModel) {
        WireMockServer wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        try {
            TestGateway gateway = TestGateway.start(prefixYaml
                    + Upstreams.openAiModel(model, upstreamModel, "http://127.0.0.1:" + wireMock.port() + "/v1", "2s"),
                    Map.of("UPSTREAM_KEY", Upstreams.KEY));
            return new WireMockUpstream(wireMock, gateway);
        } catch (RuntimeException e) {
            wireMock.stop();
            throw e;
        }
    }

    @Override
    public void close() {
        gateway.close();
        wireMock.stop();
    }
}
