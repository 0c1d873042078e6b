package dev.tollgate.plugin.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.spi.chat.Usage;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** The Gemini benchmark runs the path it names, on a stream the provider accepts. */
class GeminiProviderBenchTest {

    static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void benchmarkRunsWithoutFailing() {
        GeminiProviderBench b = new GeminiProviderBench();
        b.setup();
        for (int i = 0; i < 3; i++) {
            b.translateStreamPerEvent(BH); // its sink throws on a stream error
        }
    }

    @Test
    void theStreamBecomesCanonicalEvents() {
        GeminiProviderBench b = new GeminiProviderBench();
        b.setup();
        for (int i = 0; i < 2; i++) { // the replayed pieces are reusable
            RecordingSink seen = new RecordingSink();
            b.adapter.streamChat(b.translatedStream, b.call, seen);

            assertThat(seen.lines).startsWith("MessageStart", "BlockStart").endsWith("MessageEnd", "complete")
                    .noneMatch(l -> l.startsWith("error"));
            assertThat(seen.lines.stream().filter("TextDelta"::equals)).hasSize(GeminiProviderBench.EVENTS);
            assertThat(seen.text).hasToString("Hello! I hope you are having a wonderful day today. It is nice to meet you here.");
            assertThat(seen.usage).isEqualTo(Usage.of(9, 20));
        }
    }
}
