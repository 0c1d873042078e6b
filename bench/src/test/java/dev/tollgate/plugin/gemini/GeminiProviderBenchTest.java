package dev.tollgate.plugin.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.spi.chat.Usage;
import org.junit.jupiter.api.Test;

/** The Gemini benchmark runs the path it names, on a stream the provider accepts. */
class GeminiProviderBenchTest {

    private final GeminiProviderBench b = new GeminiProviderBench();

    GeminiProviderBenchTest() {
        b.setup();
    }

    @Test
    void theStreamBecomesCanonicalEvents() {
        RecordingSink seen = RecordingSink.streamed(b.adapter, b.translatedStream, b.call);

        seen.assertCanonical();
        assertThat(seen.lines.stream().filter("TextDelta"::equals)).hasSize(GeminiProviderBench.EVENTS);
        assertThat(seen.text).hasToString("Hello! I hope you are having a wonderful day today. It is nice to meet you here.");
        assertThat(seen.usage).isEqualTo(Usage.of(9, 20));
    }
}
