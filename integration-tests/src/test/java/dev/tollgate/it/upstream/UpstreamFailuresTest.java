package dev.tollgate.it.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way an upstream fails reaches the client as an OpenAI error with the documented status and
 * code (before the first chunk as a JSON response, even for a stream; after it as an SSE error
 * event that ends the stream), and the gateway keeps serving afterwards.
 */
class UpstreamFailuresTest {

    private static FailureFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new FailureFixture();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void resetStubs() {
        fixture.reset();
    }

    static Stream<FailureCase> cases() {
        return FailureCase.all(false).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void upstreamFailureReachesTheClientAsAnOpenAiErrorAndTheGatewayKeepsServing(FailureCase c) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            fixture.drive(c);
            Upstreams.assertNothingInFlight(fixture.gateway, Duration.ofSeconds(2));
            fixture.assertStillServes(c.stream());
        });
    }

    @Test
    void streamResetAfterTwoChunksDeliversBothChunksThenAnErrorEventAndEndsTheResponse() {
        FailureCase c = FailureCase.all(false).stream()
                .filter(f -> f.model().equals(FailureFixture.RESET_MODEL)).findFirst().orElseThrow();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            // ofString only returns once the gateway ended the response
            HttpResponse<String> r = fixture.drive(c);
            List<String> events = Upstreams.sseData(r.body());
            assertThat(events.subList(0, 2)).extracting(e -> Upstreams.deltaContent(Upstreams.parse(e)))
                    .containsExactly("one", "two");
            assertThat(events).hasSize(3);
            assertThat(Upstreams.parse(events.get(2)).has("error")).isTrue();
            assertThat(fixture.resetting.exchanges()).isNotEmpty();
        });
    }
}
