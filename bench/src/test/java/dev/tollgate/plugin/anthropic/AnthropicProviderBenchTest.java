package dev.tollgate.plugin.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.spi.chat.Usage;
import org.junit.jupiter.api.Test;

/** The Anthropic benchmarks run the paths they name, on a stream the provider accepts. */
class AnthropicProviderBenchTest {

    private final AnthropicProviderBench b = new AnthropicProviderBench();

    AnthropicProviderBenchTest() {
        b.setup();
    }

    @Test
    void thePassThroughStreamRelaysEveryEventAndObservesTheUsage() {
        RecordingSink seen = RecordingSink.streamed(b.adapter, b.passThroughStream, b.call);

        assertThat(seen.lines).hasSize(AnthropicProviderBench.EVENTS + 1).endsWith("complete");
        assertThat(seen.lines.subList(0, AnthropicProviderBench.EVENTS)).containsOnly("native");
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }

    @Test
    void theTranslatedStreamBecomesCanonicalEvents() {
        RecordingSink seen = RecordingSink.streamed(b.adapter, b.translatedStream, b.call);

        seen.assertCanonical().endsWith("BlockStop", "MessageEnd", "complete");
        assertThat(seen.text).hasToString("Hello! I hope you are having a wonderful day today. Nice to meet you");
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }
}
