package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import org.junit.jupiter.api.Test;

/** The provider benchmarks run the paths they name, on inputs the provider accepts. */
class OpenAiProviderBenchTest {

    private final OpenAiProviderBench b = new OpenAiProviderBench();

    OpenAiProviderBenchTest() {
        b.setup();
    }

    @Test
    void theNonStreamBenchmarksRewriteAndScanAsTheySay() throws Exception {
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
    }

    @Test
    void thePassThroughStreamRelaysEveryChunkAndObservesTheUsage() {
        RecordingSink seen = RecordingSink.streamed(b.adapter, b.passThroughStream, b.call);

        assertThat(seen.lines).hasSize(19).endsWith("complete");
        assertThat(seen.lines.subList(0, 18)).containsOnly("native");
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }

    @Test
    void theTranslatedStreamBecomesCanonicalEvents() {
        RecordingSink seen = RecordingSink.streamed(b.adapter, b.translatedStream, b.call);

        seen.assertCanonical().hasSize(21).endsWith("BlockStop", "MessageEnd", "complete");
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }
}
