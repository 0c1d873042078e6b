package dev.tollgate.bench.jmh;

import static dev.tollgate.bench.jmh.Blackholes.BH;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The microbenchmarks measure what they claim: their inputs are realistic and fully processed. */
class KernelBenchTest {

    @Test
    void fixturesHaveTheAdvertisedShape() {
        assertThat(Fixtures.utf8(Fixtures.CHAT_RESPONSE).length).isBetween(550, 700);
        assertThat(Fixtures.SSE_STREAM.split("\n\n")).hasSize(Fixtures.SSE_EVENTS);
        assertThat(Fixtures.SSE_STREAM).endsWith("data: [DONE]\n\n");
        assertThat(Fixtures.pieces(Fixtures.utf8(Fixtures.SSE_STREAM), 1024)).hasSizeGreaterThan(3)
                .allSatisfy(b -> assertThat(b.remaining()).isLessThanOrEqualTo(1024));
        assertThat(Fixtures.HEADERS).hasSize(20);
        assertThat(Fixtures.HEADERS[11]).isEqualTo(Integer.toString(Fixtures.utf8(Fixtures.CHAT_REQUEST).length));
    }

    @Test
    void benchmarksProcessTheirWholeInput() {
        KernelBench b = new KernelBench();
        b.setup();
        assertThat(b.requestFactsChat().model()).isEqualTo("gpt-4o-mini");
        assertThat(b.requestFactsChat().stream()).isFalse();
        assertThat(b.requestFactsChat().promptTokenEstimate()).isPositive();
        for (int i = 0; i < 3; i++) { // the pieces are reused: every op sees the whole stream
            assertThat(b.sseParse20Events(BH)).isEqualTo(Fixtures.SSE_EVENTS);
        }
        b.headersBuildAndLookup(BH);
    }
}
