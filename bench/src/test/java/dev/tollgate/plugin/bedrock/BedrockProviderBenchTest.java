package dev.tollgate.plugin.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.RecordingSink;
import dev.tollgate.bench.jmh.StreamReplay;
import dev.tollgate.spi.chat.Usage;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The Bedrock benchmarks run the paths they name, on an event stream whose frames the decoder accepts. */
class BedrockProviderBenchTest {

    static final String TEXT = "Hello! I hope you are having a wonderful day today. Nice to meet you";

    private final BedrockProviderBench b = new BedrockProviderBench();

    BedrockProviderBenchTest() {
        b.setup();
    }

    @Test
    void theWholeStreamPathBecomesCanonicalEvents() {
        RecordingSink seen = RecordingSink.streamed(b.adapter, b.translatedStream, b.call);

        seen.assertCanonical().endsWith("BlockStop", "MessageEnd", "complete");
        assertThat(seen.text).hasToString(TEXT);
        assertThat(seen.usage).isEqualTo(Usage.of(24, 16));
    }

    @Test
    void aCorruptedFrameFailsTheStreamSoTheCrcIsChecked() {
        byte[] corrupt = BedrockProviderBench.STREAM.clone();
        corrupt[40] ^= 1; // inside the first message's headers, covered by its message CRC

        RecordingSink seen = RecordingSink.streamed(b.adapter, b.translatedStream,
                new StreamReplay.ReplayingCall(BedrockProviderBench.HEADERS, new ByteBuffer[] {ByteBuffer.wrap(corrupt)}));

        assertThat(seen.lines).anyMatch(l -> l.startsWith("error")).doesNotContain("complete");
    }
}
