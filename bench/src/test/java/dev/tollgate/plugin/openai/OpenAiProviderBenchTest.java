package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.jmh.Fixtures;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.Usage;
import java.nio.ByteBuffer;
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
        assertThat(response.usage()).isEqualTo(new Usage(24, 12, 0, 0, 0));
        assertThat(response.choices()).isTrue();
        ResponseScan chunk = (ResponseScan) b.scanUsageChunk();
        assertThat(chunk.usage()).isEqualTo(new Usage(24, 16, 0, 0, 0));
        assertThat(chunk.choicesEmpty()).isTrue();
        for (int i = 0; i < 3; i++) {
            b.relayStream(BH); // its sink throws on a stream error
        }
    }

    @Test
    void theStreamFixtureTakesTheUsagePath() {
        List<String> seen = new ArrayList<>();
        ChatStream s = new ChatStream(new ChunkSink() {
            @Override
            public void chunk(Bytes json) {
                seen.add("chunk");
            }

            @Override
            public void usage(Usage usage, Bytes chunk) {
                seen.add("usage " + usage.promptTokens() + "/" + usage.completionTokens()
                        + (chunk != null ? " +chunk" : ""));
            }

            @Override
            public void complete() {
                seen.add("complete");
            }

            @Override
            public void error(GatewayException error) {
                seen.add("error " + error.getMessage());
            }
        }, null);
        s.onHeaders(200, OpenAiProviderBench.SSE_HEADERS);
        for (ByteBuffer piece : Fixtures.pieces(Fixtures.utf8(Fixtures.SSE_STREAM), 1024)) {
            s.onBody(piece);
        }
        s.onComplete();
        assertThat(seen).hasSize(20).startsWith("chunk").endsWith("usage 24/16 +chunk", "complete");
        assertThat(seen.subList(0, 18)).containsOnly("chunk");
    }
}
