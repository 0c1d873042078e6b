package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.UPSTREAM_MODEL;
import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.embeddings;
import static dev.tollgate.plugin.mock.MockFixture.embeddingsFailure;
import static dev.tollgate.plugin.mock.MockFixture.startEmbeddings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockEmbeddingsTest {

    private static double norm(float[] v) {
        double sum = 0;
        for (float f : v) {
            sum += (double) f * f;
        }
        return Math.sqrt(sum);
    }

    @Test
    void singleStringGivesOneUnitVectorOfTheDefaultLengthFromTheUpstreamModel() {
        EmbeddingsResponse r = embeddings(adapter(Map.of()), "{\"model\":\"e\",\"input\":\"the quick brown fox\"}");

        assertThat(r.model()).isEqualTo(UPSTREAM_MODEL);
        assertThat(r.usage()).contains(Usage.of(4, 0));
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.vector(0)).hasSize(8);
        assertThat(norm(r.vector(0))).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void vectorsAreAFunctionOfTheInputTextAlone() {
        EmbeddingsResponse batch = embeddings(adapter(Map.of()), "{\"input\":[\"alpha\",\"beta\",\"alpha\"]}");
        EmbeddingsResponse alone = embeddings(adapter(Map.of("seed", 1)), "{\"input\":\"alpha\"}");

        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.vector(2)).containsExactly(batch.vector(0));
        assertThat(alone.vector(0)).containsExactly(batch.vector(0));
        assertThat(batch.vector(1)).isNotEqualTo(batch.vector(0));
        for (int i = 0; i < 3; i++) {
            assertThat(norm(batch.vector(i))).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void tokenArraysAreOneInputEachAndCountTheirTokens() {
        ProviderAdapter adapter = adapter(Map.of());
        EmbeddingsResponse nested = embeddings(adapter, "{\"input\":[[1,2,3],[4,5]]}");
        EmbeddingsResponse flat = embeddings(adapter, "{\"input\":[1,2,3]}");

        assertThat(nested.size()).isEqualTo(2);
        assertThat(nested.usage().orElseThrow().inputTokens()).isEqualTo(5);
        assertThat(flat.size()).isEqualTo(1);
        assertThat(flat.usage().orElseThrow().inputTokens()).isEqualTo(3);
        assertThat(flat.vector(0)).containsExactly(nested.vector(0));
        assertThat(nested.vector(1)).isNotEqualTo(nested.vector(0));
    }

    @Test
    void aTokenArrayIsNotTheTextOfItsDigits() {
        ProviderAdapter adapter = adapter(Map.of());

        assertThat(embeddings(adapter, "{\"input\":[1,2]}").vector(0))
                .isNotEqualTo(embeddings(adapter, "{\"input\":\"1,2,\"}").vector(0));
    }

    @Test
    void embeddingDimensionsSetsTheLengthAndTheRequestsDimensionsOverridesIt() {
        ProviderAdapter adapter = adapter(Map.of("embedding_dimensions", 256));

        assertThat(embeddings(adapter, "{\"input\":\"x\"}").vector(0)).hasSize(256);
        assertThat(embeddings(adapter, "{\"input\":\"x\",\"dimensions\":3}").vector(0)).hasSize(3);
        assertThat(embeddings(adapter, "{\"input\":\"x\",\"dimensions\":null}").vector(0)).hasSize(256);
    }

    /** The kernel encodes base64 for the client; the mock answers every encoding with the same floats. */
    @Test
    void everyEncodingFormatGetsTheSameVectors() {
        ProviderAdapter adapter = adapter(Map.of("embedding_dimensions", 16));
        EmbeddingsResponse floats = embeddings(adapter, "{\"input\":[\"a b\",\"c\"],\"encoding_format\":\"float\"}");
        EmbeddingsResponse base64 = embeddings(adapter, "{\"input\":[\"a b\",\"c\"],\"encoding_format\":\"base64\"}");
        EmbeddingsResponse unset = embeddings(adapter, "{\"input\":[\"a b\",\"c\"],\"encoding_format\":null}");

        for (EmbeddingsResponse r : new EmbeddingsResponse[] {base64, unset}) {
            assertThat(r.size()).isEqualTo(2);
            assertThat(r.vector(0)).hasSize(16).containsExactly(floats.vector(0));
            assertThat(r.vector(1)).containsExactly(floats.vector(1));
            assertThat(r.usage()).isEqualTo(floats.usage()).contains(Usage.of(3, 0));
        }
    }

    @Test
    void embeddingsAreDeliveredOnlyAfterTtft() {
        ObservedCall call = new ObservedCall();
        RecordingResponseSink<EmbeddingsResponse> sink = new RecordingResponseSink<>();

        startEmbeddings(adapter(Map.of("ttft", "100ms"), call.ticker()), "{\"input\":\"x\"}", call, sink);

        assertThat(sink.kind()).isNull();
        assertThat(call.delays()).containsExactly(Duration.ofMillis(100));
        call.runAll();
        assertThat(sink.kind()).isEqualTo(RecordingResponseSink.Kind.TRANSLATED);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not json                                    | ",
        "[\"a\"]                                     | ",
        "{\"model\":\"e\"}                           | input",
        "{\"input\":[]}                              | input",
        "{\"input\":\"\"}                            | input",
        "{\"input\":{\"a\":1}}                       | input",
        "{\"input\":[\"a\",1]}                       | input",
        "{\"input\":[[]]}                            | input",
        "{\"input\":[[1,\"a\"]]}                     | input",
        "{\"input\":\"a\",\"encoding_format\":\"hex\"} | encoding_format",
        "{\"input\":\"a\",\"dimensions\":0}          | dimensions",
        "{\"input\":\"a\",\"dimensions\":100000}     | dimensions",
        "{\"input\":\"a\",\"dimensions\":2.5}        | dimensions",
    })
    void badBodiesAreClientErrorsNamingTheField(String body, String param) {
        GatewayException e = embeddingsFailure(adapter(Map.of()), body);

        assertThat(e.type()).isEqualTo(ErrorType.CLIENT);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param().orElse(null)).isEqualTo(param);
    }
}
