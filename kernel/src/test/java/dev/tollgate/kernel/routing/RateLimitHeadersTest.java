package dev.tollgate.kernel.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.kernel.ForwardingProviderPlugin;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.ManualScheduler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream's {@code x-ratelimit-remaining-*: 0} takes the deployment that got it out of
 * routing until its {@code x-ratelimit-reset-*}, on the manual clock; a model with nowhere else to
 * go keeps sending.
 */
class RateLimitHeadersTest {

    private final ManualScheduler time = new ManualScheduler();
    private final AtomicInteger calls = new AtomicInteger();
    /** How many of the next answers say the request limit is used up. */
    private final AtomicInteger exhaustedAnswers = new AtomicInteger();
    private HttpServer upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            calls.incrementAndGet();
            if (exhaustedAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                ex.getResponseHeaders().add("x-ratelimit-remaining-requests", "0");
                ex.getResponseHeaders().add("x-ratelimit-reset-requests", "20s");
                ex.getResponseHeaders().add("x-ratelimit-remaining-tokens", "9000");
                ex.getResponseHeaders().add("x-ratelimit-reset-tokens", "6ms");
            }
            byte[] body = "{\"object\":\"chat.completion\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
    }

    @AfterEach
    void stop() {
        upstream.stop(0);
    }

    private KernelHarness gateway() {
        URI uri = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1/chat/completions");
        return KernelHarness.start("""
                plugins: [forward]
                models:
                  m:
                    deployments:
                      - {provider: forward, model: up-a}
                      - {provider: forward, model: up-b}
                  solo:
                    deployments:
                      - {provider: forward, model: up-s}
                """, Map.of("forward", new ForwardingProviderPlugin(uri)), time);
    }

    private static String served(KernelHarness g, String model) throws Exception {
        HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat(model));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-tollgate-deployment").orElseThrow();
    }

    @Test
    void aDeploymentWithNoRequestsLeftIsSkippedUntilItsResetThenServesAgain() throws Exception {
        try (KernelHarness g = gateway()) {
            exhaustedAnswers.set(1);
            String exhausted = served(g, "m");

            List<String> meanwhile = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                meanwhile.add(served(g, "m"));
            }
            assertThat(meanwhile).as("no request goes to the deployment whose limit is used up").doesNotContain(exhausted);
            assertThat(calls.get()).as("nothing refused locally: the sibling served").isEqualTo(21);

            time.advance(Duration.ofSeconds(19));
            assertThat(served(g, "m")).isNotEqualTo(exhausted);
            time.advance(Duration.ofSeconds(1));
            boolean back = false;
            for (int i = 0; i < 40 && !back; i++) {
                back = served(g, "m").equals(exhausted);
            }
            assertThat(back).as("after its reset it takes traffic again").isTrue();
        }
    }

    @Test
    void aModelWithNowhereElseToGoKeepsSendingToItsOnlyDeployment() throws Exception {
        try (KernelHarness g = gateway()) {
            exhaustedAnswers.set(1);
            served(g, "solo");
            served(g, "solo");

            assertThat(calls.get()).as("the upstream answers for itself").isEqualTo(2);
        }
    }
}
