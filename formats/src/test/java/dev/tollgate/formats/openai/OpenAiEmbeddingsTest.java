package dev.tollgate.formats.openai;

import static dev.tollgate.formats.TestJson.assertJsonEquals;
import static dev.tollgate.formats.TestJson.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.ObjectMappers;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import dev.tollgate.spi.chat.Usage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiEmbeddingsTest {

    @Test
    void writesFloatVectorsWithUsage() {
        byte[] json = OpenAiEmbeddings.write(List.of(new float[] {0.5f, -1.25f}, new float[] {3f}), "text-embedding-3-small",
                false, Usage.of(8, 0));
        assertJsonEquals(text(json), """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-1.25]},
                  {"object":"embedding","index":1,"embedding":[3.0]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""");
    }

    @Test
    void writesBase64AsLittleEndianFloat32() {
        float[] v = {0.1f, -2.5f, 1e-7f};
        byte[] json = OpenAiEmbeddings.write(List.of(v), "m", true, null);
        String b64 = dev.tollgate.formats.TestJson.tree(json).at("/data/0/embedding").asText();
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(buf.remaining()).isEqualTo(12);
        assertThat(new float[] {buf.getFloat(), buf.getFloat(), buf.getFloat()}).containsExactly(v);
        assertThat(dev.tollgate.formats.TestJson.tree(json).has("usage")).isFalse();
    }

    @Test
    void theOfficialSdkParsesIt() throws Exception {
        byte[] json = OpenAiEmbeddings.write(List.of(new float[] {0.25f, 0.75f}), "emb", false, Usage.of(3, 0));
        CreateEmbeddingResponse r = ObjectMappers.jsonMapper().readValue(json, CreateEmbeddingResponse.class);
        r.validate();
        assertThat(r.data().get(0).embedding()).containsExactly(0.25f, 0.75f);
        assertThat(r.usage().promptTokens()).isEqualTo(3);
        assertThat(r.model()).isEqualTo("emb");
    }
}
