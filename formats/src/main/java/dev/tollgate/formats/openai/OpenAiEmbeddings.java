package dev.tollgate.formats.openai;

import dev.tollgate.formats.JsonWriter;
import dev.tollgate.spi.chat.Usage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/** OpenAI embeddings responses ({@code POST /v1/embeddings}). */
public final class OpenAiEmbeddings {

    private OpenAiEmbeddings() {}

    /**
     * Renders embedding vectors as an OpenAI {@code list} of {@code embedding} objects.
     *
     * @param base64 whether the client asked for {@code encoding_format: base64}: each vector is then its
     *               float32 values, little-endian, base64-encoded, as OpenAI sends them
     * @param usage  the usage (its input tokens), or {@code null} when unknown, which omits {@code usage}
     */
    public static byte[] write(List<float[]> vectors, String model, boolean base64, Usage usage) {
        int floats = 0;
        for (float[] v : vectors) {
            floats += v.length;
        }
        JsonWriter w = new JsonWriter(64 + floats * (base64 ? 6 : 12));
        w.startObject().field("object", "list").field("data").startArray();
        for (int i = 0; i < vectors.size(); i++) {
            float[] v = vectors.get(i);
            w.startObject().field("object", "embedding").field("index").value(i).field("embedding");
            if (base64) {
                ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(v);
                w.value(Base64.getEncoder().encodeToString(buf.array()));
            } else {
                w.startArray();
                for (float f : v) {
                    w.value(f);
                }
                w.endArray();
            }
            w.endObject();
        }
        w.endArray().field("model", model);
        if (usage != null) {
            w.field("usage").startObject().field("prompt_tokens").value(usage.inputTokens())
                    .field("total_tokens").value(usage.totalTokens()).endObject();
        }
        w.endObject();
        return w.take();
    }
}
