package dev.tollgate.it.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.it.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway relays each upstream SSE event as it comes instead of buffering the answer: with an
 * upstream that spaces five content chunks 200 ms apart, the client holds the first chunk before
 * the upstream even wrote the last one.
 */
class StreamingIsRealTest {

    private static final String UPSTREAM_MODEL = "paced-model";
    private static final List<String> WORDS = List.of("one", " two", " three", " four", " five");

    @Test
    void firstChunkReachesTheClientBeforeTheUpstreamSentTheLastAndAllArriveInOrder() throws Exception {
        List<RawSseUpstream.Step> steps = new ArrayList<>();
        for (int i = 0; i < WORDS.size(); i++) {
            steps.add(new RawSseUpstream.Step(i == 0 ? 0 : 200, Upstreams.contentChunk(UPSTREAM_MODEL, WORDS.get(i))));
        }
        steps.add(new RawSseUpstream.Step(0, Upstreams.finishChunk(UPSTREAM_MODEL)));
        steps.add(new RawSseUpstream.Step(0, Upstreams.usageChunk(UPSTREAM_MODEL, 7, WORDS.size())));
        steps.add(new RawSseUpstream.Step(0, "[DONE]"));

        try (RawSseUpstream upstream = new RawSseUpstream(new RawSseUpstream.Script(steps, RawSseUpstream.Ending.COMPLETE));
                TestGateway g = TestGateway.start("plugins: [provider-openai]\nmodels:\n"
                        + Upstreams.openAiModel("gpt-test", UPSTREAM_MODEL, upstream.apiBase(), "5s"),
                        Map.of("UPSTREAM_KEY", Upstreams.KEY))) {
            List<String> events = new ArrayList<>();
            List<Long> arrivals = new ArrayList<>();
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                HttpResponse<Stream<String>> r = Upstreams.http().send(
                        Upstreams.post(g, "/v1/chat/completions", Upstreams.chatBody("gpt-test", true)),
                        HttpResponse.BodyHandlers.ofLines());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
                try (Stream<String> lines = r.body()) {
                    lines.forEach(line -> {
                        if (line.startsWith("data:")) {
                            arrivals.add(System.nanoTime());
                            events.add(line.substring(5).trim());
                        }
                    });
                }
            });

            RawSseUpstream.Exchange ex = upstream.exchanges().get(0);
            assertThat(ex.sentNanos).hasSize(steps.size());
            long lastContentSent = ex.sentNanos.get(WORDS.size() - 1);
            long firstArrived = arrivals.get(0);
            for (int i = 0; i < WORDS.size(); i++) {
                System.out.printf("content chunk %d: upstream sent at +%d ms, client got an event at +%d ms%n", i,
                        TimeUnit.NANOSECONDS.toMillis(ex.sentNanos.get(i) - ex.acceptedNanos),
                        TimeUnit.NANOSECONDS.toMillis(arrivals.get(i) - ex.acceptedNanos));
            }
            assertThat(firstArrived)
                    .as("first client event relative to the upstream's last content chunk (ms): %d",
                            TimeUnit.NANOSECONDS.toMillis(firstArrived - lastContentSent))
                    .isLessThan(lastContentSent);

            assertThat(events).last().isEqualTo("[DONE]");
            List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(Upstreams::parse).toList();
            assertThat(chunks).noneMatch(Upstreams::isUsageChunk);
            assertThat(chunks).extracting(Upstreams::deltaContent).filteredOn(s -> !s.isEmpty())
                    .containsExactlyElementsOf(WORDS);
        }
    }
}
