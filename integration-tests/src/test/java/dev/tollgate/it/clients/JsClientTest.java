package dev.tollgate.it.clients;

import dev.tollgate.it.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test of JavaScript clients against a gateway serving {@code mock}: installs the clients, starts the gateway. */
abstract class JsClientTest {

    static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        JsClients.install();
        gateway = TestGateway.start("""
                plugins: [provider-mock]
                models:
                  mock:
                    deployments:
                      - provider: mock
                        model: mock-1
                """);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }
}
