package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.StreamSink;
import java.util.ArrayList;
import java.util.List;
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
        Seen seen = new Seen();

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
        Seen seen = new Seen();

        b.adapter.streamChat(b.translatedStream, b.call, seen);

        assertThat(seen.lines).hasSize(21).startsWith("MessageStart", "BlockStart").endsWith("BlockStop", "MessageEnd", "complete");
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }

    /** What a stream delivered, in order. */
    private static final class Seen implements StreamSink {
        final List<String> lines = new ArrayList<>();
        Usage usage;

        @Override
        public void headers(Headers headers) {}

        @Override
        public void event(StreamEvent event) {
            lines.add(event.getClass().getSimpleName());
            if (event instanceof StreamEvent.MessageEnd end) {
                usage = end.usage();
            }
        }

        @Override
        public void nativeEvent(String name, Bytes data) {
            lines.add("native");
        }

        @Override
        public void observe(Observation observation) {
            observation.observedUsage().ifPresent(u -> usage = u);
        }

        @Override
        public void complete() {
            lines.add("complete");
        }

        @Override
        public void fail(GatewayException error) {
            lines.add("error " + error.getMessage());
        }
    }
}
