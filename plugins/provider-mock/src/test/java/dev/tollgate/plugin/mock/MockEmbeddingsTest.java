package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.MODEL;
import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.embeddings;
import static dev.tollgate.plugin.mock.MockFixture.embeddingsFailure;
import static dev.tollgate.plugin.mock.MockFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.Usage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockEmbeddingsTest {

    private static List<float[]> vectors(ProviderResult result) {
        List<float[]> out = new ArrayList<>();
        JsonNode data = json(result.body()).path("data");
        for (int i = 0; i < data.size(); i++) {
            assertThat(data.path(i).path("index").asInt()).isEqualTo(i);
            JsonNode e = data.path(i).path("embedding");
            float[] v;
            if (e.isTextual()) {
                ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(e.asText())).order(ByteOrder.LITTLE_ENDIAN);
                v = new float[b.remaining() / Float.BYTES];
                b.asFloatBuffer().get(v);
            } else {
                v = new float[e.size()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = e.path(j).floatValue();
                }
            }
            out.add(v);
        }
        return out;
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float f : v) {
            sum += (double) f * f;
        }
        return Math.sqrt(sum);
    }

    @Test
    void singleStringGivesOneUnitVectorOfTheDefaultLengthInTheOpenAiShape() {
        ProviderResult result = embeddings(adapter(Map.of()), "{\"model\":\"e\",\"input\":\"the quick brown fox\"}");
        JsonNode body = json(result.body());

        assertThat(body.path("object").asText()).isEqualTo("list");
        assertThat(body.path("model").asText()).isEqualTo(MODEL);
        assertThat(body.path("data").path(0).path("object").asText()).isEqualTo("embedding");
        assertThat(body.path("usage").path("prompt_tokens").asLong()).isEqualTo(4);
        assertThat(body.path("usage").path("total_tokens").asLong()).isEqualTo(4);
        assertThat(result.usage()).isEqualTo(Usage.of(4, 0));
        List<float[]> vectors = vectors(result);
        assertThat(vectors).hasSize(1);
        assertThat(vectors.get(0)).hasSize(8);
        assertThat(norm(vectors.get(0))).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void vectorsAreAFunctionOfTheInputTextAlone() {
        ProviderAdapter adapter = adapter(Map.of());
        List<float[]> batch = vectors(embeddings(adapter, "{\"input\":[\"alpha\",\"beta\",\"alpha\"]}"));
        List<float[]> alone = vectors(embeddings(adapter(Map.of("seed", 1)), "{\"input\":\"alpha\"}"));

        assertThat(batch).hasSize(3);
        assertThat(batch.get(2)).containsExactly(batch.get(0));
        assertThat(alone.get(0)).containsExactly(batch.get(0));
        assertThat(batch.get(1)).isNotEqualTo(batch.get(0));
        assertThat(batch).allSatisfy(v -> assertThat(norm(v)).isCloseTo(1.0, within(1e-5)));
    }

    @Test
    void tokenArraysAreOneInputEachAndCountTheirTokens() {
        ProviderAdapter adapter = adapter(Map.of());
        ProviderResult nested = embeddings(adapter, "{\"input\":[[1,2,3],[4,5]]}");
        ProviderResult flat = embeddings(adapter, "{\"input\":[1,2,3]}");

        assertThat(vectors(nested)).hasSize(2);
        assertThat(nested.usage().promptTokens()).isEqualTo(5);
        assertThat(vectors(flat)).hasSize(1);
        assertThat(flat.usage().promptTokens()).isEqualTo(3);
        assertThat(vectors(flat).get(0)).containsExactly(vectors(nested).get(0));
    }

    @Test
    void embeddingDimensionsSetsTheLengthAndTheRequestsDimensionsOverridesIt() {
        ProviderAdapter adapter = adapter(Map.of("embedding_dimensions", 256));

        assertThat(vectors(embeddings(adapter, "{\"input\":\"x\"}")).get(0)).hasSize(256);
        assertThat(vectors(embeddings(adapter, "{\"input\":\"x\",\"dimensions\":3}")).get(0)).hasSize(3);
    }

    @Test
    void base64IsTheLittleEndianFloat32FormOfTheSameVector() {
        ProviderAdapter adapter = adapter(Map.of("embedding_dimensions", 16));
        ProviderResult floats = embeddings(adapter, "{\"input\":[\"a b\",\"c\"],\"encoding_format\":\"float\"}");
        ProviderResult base64 = embeddings(adapter, "{\"input\":[\"a b\",\"c\"],\"encoding_format\":\"base64\"}");

        assertThat(json(base64.body()).path("data").path(0).path("embedding").isTextual()).isTrue();
        List<float[]> decoded = vectors(base64);
        assertThat(decoded.get(0)).hasSize(16).containsExactly(vectors(floats).get(0));
        assertThat(decoded.get(1)).containsExactly(vectors(floats).get(1));
        assertThat(base64.usage()).isEqualTo(floats.usage());
    }

    @Test
    void embeddingsWaitForTtft() {
        ProviderAdapter adapter = adapter(Map.of("ttft", "100ms"));
        long start = System.nanoTime();

        embeddings(adapter, "{\"input\":\"x\"}");

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(90_000_000L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"e\"}                           | input",
        "{\"input\":[]}                              | input",
        "{\"input\":\"\"}                            | input",
        "{\"input\":{\"a\":1}}                       | input",
        "{\"input\":[\"a\",1]}                       | input",
        "{\"input\":[[]]}                            | input",
        "{\"input\":\"a\",\"encoding_format\":\"hex\"} | encoding_format",
        "{\"input\":\"a\",\"dimensions\":0}          | dimensions",
        "{\"input\":\"a\",\"dimensions\":100000}     | dimensions",
    })
    void badBodiesAreClientErrorsNamingTheField(String body, String param) {
        GatewayException e = embeddingsFailure(adapter(Map.of()), body);

        assertThat(e.type()).isEqualTo(ErrorType.CLIENT);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).contains(param);
    }
}
