package dev.tollgate.plugin.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.spi.chat.Usage;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** The Anthropic benchmarks run the paths they name, on a stream the provider accepts. */
class AnthropicProviderBenchTest {

    static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void benchmarksRunWithoutFailing() {
        AnthropicProviderBench b = new AnthropicProviderBench();
        b.setup();
        for (int i = 0; i < 3; i++) {
            b.relayStreamPerEvent(BH); // its sink throws on a stream error
            b.translateStreamPerEvent(BH);
        }
    }

    @Test
    void thePassThroughStreamRelaysEveryEventAndObservesTheUsage() {
        AnthropicProviderBench b = new AnthropicProviderBench();
        b.setup();
        for (int i = 0; i < 2; i++) { // the replayed pieces are reusable
            RecordingSink seen = new RecordingSink();
            b.adapter.streamChat(b.passThroughStream, b.call, seen);

            assertThat(seen.lines).hasSize(AnthropicProviderBench.EVENTS + 1).endsWith("complete");
            assertThat(seen.lines.subList(0, AnthropicProviderBench.EVENTS)).containsOnly("native");
            assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
        }
    }

    @Test
    void theTranslatedStreamBecomesCanonicalEvents() {
        AnthropicProviderBench b = new AnthropicProviderBench();
        b.setup();
        RecordingSink seen = new RecordingSink();

        b.adapter.streamChat(b.translatedStream, b.call, seen);

        assertThat(seen.lines).startsWith("MessageStart", "BlockStart").endsWith("BlockStop", "MessageEnd", "complete")
                .noneMatch(l -> l.startsWith("error"));
        assertThat(seen.text).hasToString("Hello! I hope you are having a wonderful day today. Nice to meet you");
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }
}
