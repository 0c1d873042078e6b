package dev.tollgate.plugin.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.spi.chat.Usage;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** The Bedrock benchmarks run the paths they name, on an event stream whose frames the decoder accepts. */
class BedrockProviderBenchTest {

    static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    static final String TEXT = "Hello! I hope you are having a wonderful day today. Nice to meet you";

    @Test
    void benchmarksRunWithoutFailing() {
        BedrockProviderBench b = new BedrockProviderBench();
        b.setup();
        for (int i = 0; i < 3; i++) {
            b.translateStreamPerEvent(BH); // its sink throws on a stream error
            b.decodeStreamPerEvent(BH);
        }
    }

    @Test
    void theWholeStreamPathBecomesCanonicalEvents() {
        BedrockProviderBench b = new BedrockProviderBench();
        b.setup();
        for (int i = 0; i < 2; i++) { // the replayed pieces are reusable
            RecordingSink seen = new RecordingSink();
            b.adapter.streamChat(b.translatedStream, b.call, seen);

            assertThat(seen.lines).startsWith("MessageStart", "BlockStart").endsWith("BlockStop", "MessageEnd", "complete")
                    .noneMatch(l -> l.startsWith("error"));
            assertThat(seen.text).hasToString(TEXT);
            assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
        }
    }

    @Test
    void aCorruptedFrameFailsTheStreamSoTheCrcIsChecked() {
        BedrockProviderBench b = new BedrockProviderBench();
        b.setup();
        byte[] corrupt = BedrockProviderBench.STREAM.clone();
        corrupt[40] ^= 1; // inside the first message's headers, covered by its message CRC
        RecordingSink seen = new RecordingSink();

        b.adapter.streamChat(b.translatedStream, new dev.tollgate.bench.jmh.StreamReplay.ReplayingCall(
                BedrockProviderBench.HEADERS, new ByteBuffer[] {ByteBuffer.wrap(corrupt)}), seen);

        assertThat(seen.lines).anyMatch(l -> l.startsWith("error")).doesNotContain("complete");
    }
}
