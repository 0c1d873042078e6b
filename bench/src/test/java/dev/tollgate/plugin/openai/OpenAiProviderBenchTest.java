package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** The provider benchmarks run the paths they name, on inputs the provider accepts. */
class OpenAiProviderBenchTest {

    static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void benchmarksRunTheirPaths() throws Exception {
        OpenAiProviderBench b = new OpenAiProviderBench();
        b.setup();
        String upstream = "\"model\":\"" + OpenAiProviderBench.UPSTREAM_MODEL + "\"";
        assertThat(b.rewriteChat().utf8()).contains(upstream).doesNotContain("stream");
        assertThat(b.rewriteStream().utf8()).contains(upstream, "\"include_usage\":true");
        assertThat(b.rewriteStreamMergeOptions().utf8()).contains(upstream, "\"include_usage\":true")
                .doesNotContain("false");
        ResponseScan response = (ResponseScan) b.scanResponse();
        assertThat(response.usage()).isEqualTo(Usage.of(24, 12));
        assertThat(response.choices()).isTrue();
        assertThat(response.stopReason()).isEqualTo(StopReason.END_TURN);
        ResponseScan chunk = (ResponseScan) b.scanUsageChunk();
        assertThat(chunk.usage()).isEqualTo(Usage.of(24, 16));
        assertThat(chunk.choicesEmpty()).isTrue();
        for (int i = 0; i < 3; i++) {
            b.relayStreamPerEvent(BH); // its sink throws on a stream error
            b.translateStreamPerEvent(BH);
        }
    }

    @Test
    void thePassThroughStreamRelaysEveryChunkAndObservesTheUsage() {
        OpenAiProviderBench b = new OpenAiProviderBench();
        b.setup();
        RecordingSink seen = new RecordingSink();

        for (int i = 0; i < 2; i++) {
            seen.lines.clear();
            b.adapter.streamChat(b.passThroughStream, b.call, seen);

            assertThat(seen.lines).hasSize(19).endsWith("complete");
            assertThat(seen.lines.subList(0, 18)).containsOnly("native");
            assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
        }
    }

    @Test
    void theTranslatedStreamBecomesCanonicalEvents() {
        OpenAiProviderBench b = new OpenAiProviderBench();
        b.setup();
        RecordingSink seen = new RecordingSink();

        b.adapter.streamChat(b.translatedStream, b.call, seen);

        assertThat(seen.lines).hasSize(21).startsWith("MessageStart", "BlockStart").endsWith("BlockStop", "MessageEnd", "complete");
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }

    /** What a stream delivered, in order. */
}
